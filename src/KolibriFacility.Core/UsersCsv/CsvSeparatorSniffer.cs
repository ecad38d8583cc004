using System.Text;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Picks the field separator of a users CSV from its header line: comma (Kolibri), semicolon (Excel in many
/// European locales) or tab, whichever appears most often outside double quotes; comma when none does.
/// Hand-written because the header alone is the reliable sample: data lines hold names with commas and semicolons.
/// </summary>
internal static class CsvSeparatorSniffer
{
    private static readonly char[] Candidates = [',', ';', '\t'];

    /// <summary>Whether the file starts with Excel's separator line, such as <c>sep=;</c>.</summary>
    public static bool HasExcelHint(ReadOnlySpan<byte> utf8) =>
        utf8.Length >= 5 && Ascii.EqualsIgnoreCase(utf8[..4], "sep="u8) && (utf8.Length == 5 || utf8[5] is (byte)'\r' or (byte)'\n');

    public static char FromHeaderLine(ReadOnlySpan<byte> utf8)
    {
        var counts = new int[Candidates.Length];
        var quoted = false;
        foreach (var b in utf8.TrimStart("\r\n"u8))
        {
            var c = (char)b;
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\r' or '\n')
            {
                break;
            }
            else if (!quoted && Array.IndexOf(Candidates, c) is var index and >= 0)
            {
                counts[index]++;
            }
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return Candidates[best];
    }
}
