using System.Globalization;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// One database row exactly as stored: its table and every column with its value (long, double, string, byte[] or
/// null), in the table's column order. What the import journal keeps of a row it inserted, changed or deleted.
/// </summary>
internal sealed class RowImage(string table, IReadOnlyList<KeyValuePair<string, object?>> values)
{
    /// <summary>Morango sets and clears it on its own (every write sets it, every sync clears it): never a difference.</summary>
    public const string DirtyBit = "_morango_dirty_bit";

    public string Table { get; } = table;

    public IReadOnlyList<KeyValuePair<string, object?>> Values { get; } = values;

    public object? this[string column] => Values.FirstOrDefault(v => string.Equals(v.Key, column, StringComparison.OrdinalIgnoreCase)).Value;

    public bool Has(string column) => Values.Any(v => string.Equals(v.Key, column, StringComparison.OrdinalIgnoreCase));

    /// <summary>The row's id column as text, or null for a table without one.</summary>
    public string? Id => Has("id") ? Convert.ToString(this["id"], CultureInfo.InvariantCulture) : null;

    /// <summary>The columns whose values differ from <paramref name="other"/>'s (the dirty bit left out).</summary>
    public IReadOnlyList<string> Differences(RowImage other)
    {
        var theirs = other.Values.ToDictionary(v => v.Key, v => v.Value, StringComparer.OrdinalIgnoreCase);
        var columns = Values.Select(v => v.Key).Union(theirs.Keys, StringComparer.OrdinalIgnoreCase);
        return columns
            .Where(c => !string.Equals(c, DirtyBit, StringComparison.OrdinalIgnoreCase))
            .Where(c => !SameValue(this[c], theirs.GetValueOrDefault(c)))
            .ToList();
    }

    /// <summary>SQLite values compare by value: 1 (integer) and 1.0 (real) are the same stored number.</summary>
    public static bool SameValue(object? a, object? b) => (a, b) switch
    {
        (null, null) => true,
        (null, _) or (_, null) => false,
        (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
        (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
        (long or double or int, long or double or int) => Convert.ToDouble(a, CultureInfo.InvariantCulture) == Convert.ToDouble(b, CultureInfo.InvariantCulture)
            && (a is not long la || b is not long lb || la == lb),
        _ => false,
    };

    public override string ToString() => $"{Table} {Id}";
}
