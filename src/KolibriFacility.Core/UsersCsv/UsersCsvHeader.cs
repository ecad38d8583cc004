using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>What one header cell of a users CSV is.</summary>
internal enum HeaderCellKind
{
    Column,
    Unknown,
    Errors,
}

/// <summary>One header cell: its text as written, its key and what the key names.</summary>
internal sealed record HeaderCell(int Index, string Text, string Key, HeaderCellKind Kind)
{
    /// <summary>The key rows use for this cell's values: the machine name, or the header text of an unknown column.</summary>
    public string CellKey => Kind == HeaderCellKind.Column ? Key : Text;
}

/// <summary>
/// Recognises the header of a users CSV the way Kolibri writes it in any language (<c>Nombre de usuario (USERNAME)</c>:
/// the key is the text in the last parentheses) or with bare machine names, ignoring case and surrounding spaces,
/// in any order (docs/Kolibri.md, Header recognition), and reports missing, unknown and duplicated columns.
/// </summary>
internal sealed class UsersCsvHeader
{
    public static readonly string[] RequiredColumns =
        [UsersCsvFormat.Username, UsersCsvFormat.Password, UsersCsvFormat.FullName, UsersCsvFormat.UserType];

    private UsersCsvHeader(IReadOnlyList<HeaderCell> cells, IReadOnlyList<ImportError> errors)
    {
        Cells = cells;
        Errors = errors;
        Columns = cells.Where(c => c.Kind == HeaderCellKind.Column).Select(c => c.Key).Distinct(StringComparer.Ordinal).ToList();
        indexes = cells.Where(c => c.Kind == HeaderCellKind.Column).GroupBy(c => c.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First().Index, StringComparer.Ordinal);
    }

    private readonly Dictionary<string, int> indexes;

    public IReadOnlyList<HeaderCell> Cells { get; }

    /// <summary>Machine names of the recognised columns, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<ImportError> Errors { get; }

    /// <summary>The field index of a column, or -1 when the file does not have it.</summary>
    public int IndexOf(string machineName) => indexes.TryGetValue(machineName, out var index) ? index : -1;

    /// <summary>The key of a header cell: the text inside its last parentheses, else the whole text; trimmed, upper-cased.</summary>
    public static string KeyOf(string headerText)
    {
        var open = headerText.LastIndexOf('(');
        var close = open < 0 ? -1 : headerText.IndexOf(')', open + 1);
        var key = close > open ? headerText[(open + 1)..close] : headerText;
        return key.Trim().ToUpperInvariant();
    }

    public static HeaderCellKind KindOf(string key) =>
        UsersCsvFormat.Columns.Contains(key, StringComparer.Ordinal) ? HeaderCellKind.Column
        : key == UsersCsvLimits.ErrorsColumn ? HeaderCellKind.Errors
        : HeaderCellKind.Unknown;

    public static UsersCsvHeader Parse(IReadOnlyList<string> texts, UsersCsvReadOptions options, int line = 1)
    {
        var cells = texts.Select((text, index) =>
        {
            var key = KeyOf(text);
            return new HeaderCell(index, text, key, KindOf(key));
        }).ToList();

        var errors = new List<ImportError>();
        var present = cells.Where(c => c.Kind == HeaderCellKind.Column).Select(c => c.Key).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in RequiredColumns.Where(c => !present.Contains(c)))
        {
            errors.Add(new ImportError
            {
                Line = line,
                Column = missing,
                ErrorId = ImportErrorIds.MissingColumn,
                Message = $"The required column '{missing}' is missing from the header. Every users CSV needs the columns "
                    + string.Join(", ", RequiredColumns) + $"; a header cell names its column either as the bare name ({missing}) or as Kolibri writes it, 'Label ({missing})'.",
            });
        }

        foreach (var group in cells.Where(c => c.Kind == HeaderCellKind.Column).GroupBy(c => c.Key, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            var positions = string.Join(", ", group.Select(c => (c.Index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            errors.Add(new ImportError
            {
                Line = line,
                Column = group.Key,
                Value = string.Join(" / ", group.Select(c => c.Text)),
                ErrorId = ImportErrorIds.DuplicateColumn,
                Message = $"The column '{group.Key}' appears more than once in the header (positions {positions}): each column may appear only once.",
            });
        }

        var unknown = cells.Where(c => c.Kind == HeaderCellKind.Unknown).ToList();
        if (unknown.Count > 0 && !options.IgnoreUnknownColumns)
        {
            var names = string.Join(", ", unknown.Select(c => $"'{c.Text}' (position {c.Index + 1})"));
            errors.Add(new ImportError
            {
                Line = line,
                Value = string.Join(", ", unknown.Select(c => c.Text)),
                ErrorId = ImportErrorIds.UnknownColumn,
                Message = $"The header has columns that are not users CSV columns: {names}. The columns are "
                    + string.Join(", ", UsersCsvFormat.Columns) + "; remove the others or choose to ignore unknown columns.",
            });
        }

        return new UsersCsvHeader(cells, errors);
    }
}
