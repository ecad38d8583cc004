namespace KolibriFacility.Core.UsersCsv;

/// <summary>A cell of the ENROLLED_IN or ASSIGNED_TO column: class names separated by ',' (whatever the file's separator).</summary>
public static class ClassList
{
    public const char Separator = ',';

    /// <summary>Kolibri's class list: split on ',', pieces trimmed, empty pieces dropped; repeats (ignoring case) keep the first spelling.</summary>
    public static IReadOnlyList<string> Split(string cell)
    {
        var classes = new List<string>();
        foreach (var piece in cell.Split(Separator))
        {
            var name = piece.Trim();
            // Lists are short: a linear look-up beats a set here.
            if (name.Length > 0 && !classes.Exists(c => string.Equals(c, name, StringComparison.OrdinalIgnoreCase)))
            {
                classes.Add(name);
            }
        }

        return classes;
    }

    /// <summary>The cell Kolibri's export writes for these class names.</summary>
    public static string Join(IEnumerable<string> names) => string.Join(Separator, names);
}
