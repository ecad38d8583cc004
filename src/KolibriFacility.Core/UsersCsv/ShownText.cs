using System.Text;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// How values and raw records of a users CSV are quoted in errors, warnings and plans: cut to
/// <see cref="UsersCsvLimits.MaxValueShown"/> characters, and never with a password in them. Passwords may only
/// reach the rejected-rows file.
/// </summary>
public static class ShownText
{
    public const string PasswordMask = "***";
    private const string CutMark = "...";

    /// <summary>The value, cut after <see cref="UsersCsvLimits.MaxValueShown"/> characters (cutting twice changes nothing).</summary>
    public static string Cut(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= UsersCsvLimits.MaxValueShown)
        {
            return value;
        }

        // Never split a surrogate pair.
        var end = char.IsHighSurrogate(value[UsersCsvLimits.MaxValueShown - 1]) ? UsersCsvLimits.MaxValueShown - 1 : UsersCsvLimits.MaxValueShown;
        return string.Concat(value.AsSpan(0, end), CutMark);
    }

    /// <summary>
    /// A raw record as it may be shown: every field that can be the password masked, then cut. When the record
    /// does not have as many fields as the header has columns (an unquoted separator, a broken quote), the password
    /// may have moved: every field it can have moved to is masked. With <paramref name="firstLineOnly"/> (broken
    /// quoting, where the record may run to the end of the file) only the record's first line is shown, split as
    /// leniently as a broken line allows (a quote opens a field that swallows the rest of the line).
    /// </summary>
    /// <param name="passwordIndex">The PASSWORD column's position in the header, or -1 when the file has none.</param>
    public static string Record(string raw, char separator, int passwordIndex, int headerColumns, bool firstLineOnly = false)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var text = raw.TrimEnd('\r', '\n');
        if (firstLineOnly && text.IndexOfAny(['\r', '\n']) is var lineEnd and >= 0)
        {
            text = text[..lineEnd];
        }

        var fields = SplitKeepingQuotes(text, separator);
        MaskPassword(fields, passwordIndex, headerColumns);
        return Cut(string.Join(separator, fields));
    }

    /// <summary>
    /// The fields of a row as they may be shown: each cut, and every field that can be the password masked (when the
    /// row does not have as many fields as the header has columns, every field the password may have moved to).
    /// </summary>
    /// <param name="passwordIndex">The PASSWORD column's position in the header, or -1 when the file has none.</param>
    public static string[] Fields(IReadOnlyList<string> fields, int passwordIndex, int headerColumns)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var shown = fields.Select(Cut).ToList();
        MaskPassword(shown, passwordIndex, headerColumns);
        return [.. shown];
    }

    private static void MaskPassword(List<string> fields, int passwordIndex, int headerColumns)
    {
        if (passwordIndex < 0)
        {
            return;
        }

        var shift = fields.Count - headerColumns;
        var first = Math.Max(0, passwordIndex + Math.Min(0, shift));
        var last = Math.Min(fields.Count - 1, passwordIndex + Math.Max(0, shift));
        for (var i = first; i <= last; i++)
        {
            fields[i] = PasswordMask;
        }
    }

    /// <summary>Fields as written (quotes kept), split at separators outside double quotes; lenient with broken quoting.</summary>
    private static List<string> SplitKeepingQuotes(string text, char separator)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == separator && !quoted)
            {
                fields.Add(field.ToString());
                field.Clear();
                continue;
            }

            field.Append(c);
        }

        fields.Add(field.ToString());
        return fields;
    }
}
