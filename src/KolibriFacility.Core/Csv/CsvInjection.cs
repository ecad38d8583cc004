using System.Text.RegularExpressions;

namespace KolibriFacility.Core.Csv;

/// <summary>
/// Kolibri's guard against spreadsheet formula injection (kolibri/core/utils/csv.py, docs/Kolibri.md, CSV file format): a value that
/// starts with one of <c>@ + - = | %</c> and is not a plain number gets its <c>|</c> escaped and a leading apostrophe.
/// </summary>
public static partial class CsvInjection
{
    private const string TriggerCharacters = "@+-=|%";

    public static string Sanitize(string value)
    {
        if (value.Length == 0 || !TriggerCharacters.Contains(value[0]) || PlainNumber().IsMatch(value))
        {
            return value;
        }

        return "'" + value.Replace("|", "\\|", StringComparison.Ordinal);
    }

    /// <summary>Undoes <see cref="Sanitize"/> so that an exported value imports back unchanged.</summary>
    public static string Unsanitize(string value)
    {
        // A value that started with '|' comes back as '\|...: its pipe was escaped with the others.
        if (value.Length < 2 || value[0] != '\'' || !(TriggerCharacters.Contains(value[1]) || value.AsSpan(1).StartsWith("\\|")))
        {
            return value;
        }

        return value[1..].Replace("\\|", "|", StringComparison.Ordinal);
    }

    // Python's re.match anchors at the start only, and '$' also matches before a trailing newline.
    [GeneratedRegex(@"^-?[0-9,\.]+\n?\z")]
    private static partial Regex PlainNumber();
}
