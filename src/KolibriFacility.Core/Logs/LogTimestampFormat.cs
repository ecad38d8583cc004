using KolibriFacility.Core.Time;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Turns a stored Kolibri timestamp (<c>2026-11-22 23:09:05.096102(UTC)</c>) into the text Kolibri's export writes:
/// Python's str() of the instant in its stored zone (<c>2026-11-22 23:09:05.096102+00:00</c>, no microseconds when
/// zero). UTC values, nearly all of them, are rewritten as text without parsing.
/// </summary>
public static class LogTimestampFormat
{
    private const int ClockLength = 26; // yyyy-MM-dd HH:mm:ss.ffffff

    public static string ToExportText(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return "";
        }

        if (stored.Length > ClockLength + 2 && stored[ClockLength] == '(' && stored[19] == '.' && IsUtcZone(stored.AsSpan(ClockLength + 1)))
        {
            return stored.AsSpan(20, 6).SequenceEqual("000000")
                ? string.Concat(stored.AsSpan(0, 19), "+00:00")
                : string.Concat(stored.AsSpan(0, ClockLength), "+00:00");
        }

        var parsed = KolibriTimestamp.Parse(stored);
        return parsed is null ? "" : KolibriTimestamp.FormatPython(parsed.Value);
    }

    private static bool IsUtcZone(ReadOnlySpan<char> zoneWithParenthesis) =>
        zoneWithParenthesis is "UTC)" or "Etc/UTC)";
}
