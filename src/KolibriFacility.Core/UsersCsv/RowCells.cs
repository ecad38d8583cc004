using System.Collections;
using System.Diagnostics.CodeAnalysis;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// The cells of one row by column key, as an array of the row's fields and a map of keys to field positions shared by
/// every row of the file: a file of 250,000 rejected rows is not 250,000 dictionaries. A key whose position is past
/// the row's last field is absent, as for a row with too few fields.
/// </summary>
internal sealed class RowCells(IReadOnlyDictionary<string, int> positions, string[] fields) : IReadOnlyDictionary<string, string>
{
    public int Count => positions.Values.Count(i => i < fields.Length);

    public IEnumerable<string> Keys => this.Select(p => p.Key);

    public IEnumerable<string> Values => this.Select(p => p.Value);

    public string this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The row has no cell '{key}'.");

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (positions.TryGetValue(key, out var index) && index < fields.Length)
        {
            value = fields[index];
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var (key, index) in positions)
        {
            if (index < fields.Length)
            {
                yield return new(key, fields[index]);
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
