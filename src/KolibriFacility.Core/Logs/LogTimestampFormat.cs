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

        if (TryUtcClock(stored, out var clock))
        {
            return string.Concat(clock, UtcOffset);
        }

        var parsed = KolibriTimestamp.Parse(stored);
        return parsed is null ? "" : KolibriTimestamp.FormatPython(parsed.Value);
    }

    /// <summary>The offset Python prints for a UTC value.</summary>
    public const string UtcOffset = "+00:00";

    /// <summary>
    /// For a value stored in UTC: the clock part Python prints before <see cref="UtcOffset"/> (microseconds dropped when
    /// zero), as a slice of <paramref name="stored"/>. False for other zones and unexpected text.
    /// </summary>
    public static bool TryUtcClock(string stored, out ReadOnlySpan<char> clock)
    {
        if (stored.Length > ClockLength + 2 && stored[ClockLength] == '(' && stored[19] == '.' && IsUtcZone(stored.AsSpan(ClockLength + 1)))
        {
            clock = stored.AsSpan(0, stored.AsSpan(20, 6).SequenceEqual("000000") ? 19 : ClockLength);
            return true;
        }

        clock = default;
        return false;
    }

    private static bool IsUtcZone(ReadOnlySpan<char> zoneWithParenthesis) =>
        zoneWithParenthesis is "UTC)" or "Etc/UTC)";
}
