using System.Collections.Concurrent;
using System.Globalization;

namespace KolibriFacility.Core.Time;

/// <summary>
/// Kolibri's DateTimeTzField text format: <c>YYYY-MM-DD HH:MM:SS.ffffff(Zone/Name)</c>, where the clock time is
/// UTC and the zone in parentheses is the zone the value is shown in (docs/Kolibri.md, Timestamps).
/// </summary>
public static class KolibriTimestamp
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new(StringComparer.Ordinal);

    /// <summary>Reads a stored value as an instant shown in its stored zone; null for null or empty text.</summary>
    public static DateTimeOffset? Parse(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }

        var open = stored.IndexOf('(');
        var clock = open < 0 ? stored : stored[..open];
        var zoneName = open < 0 ? null : stored[(open + 1)..].TrimEnd(')');
        var utc = DateTime.SpecifyKind(
            DateTime.ParseExact(clock.Trim(), ["yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None),
            DateTimeKind.Utc);
        var zone = FindZone(zoneName);
        return TimeZoneInfo.ConvertTime(new DateTimeOffset(utc), zone);
    }

    /// <summary>Writes an instant the way Kolibri stores it, naming the zone it belongs to.</summary>
    public static string Format(DateTimeOffset value, string zoneName = "UTC") =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + "(" + zoneName + ")";

    /// <summary>
    /// Python's <c>str()</c> of an aware datetime, which is how Kolibri's CSV exports print timestamps:
    /// <c>2024-03-05 09:30:00+03:00</c>, microseconds only when not zero.
    /// </summary>
    public static string FormatPython(DateTimeOffset value)
    {
        var text = value.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var micros = (value.Ticks % TimeSpan.TicksPerSecond) / 10;
        if (micros != 0)
        {
            text += "." + micros.ToString("D6", CultureInfo.InvariantCulture);
        }

        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        offset = offset.Duration();
        text += sign + offset.Hours.ToString("D2", CultureInfo.InvariantCulture) + ":" + offset.Minutes.ToString("D2", CultureInfo.InvariantCulture);
        if (offset.Seconds != 0)
        {
            text += ":" + offset.Seconds.ToString("D2", CultureInfo.InvariantCulture);
        }

        return text;
    }

    /// <summary>Django's plain datetime columns (last_login, morango tables): naive UTC text.</summary>
    public static DateTimeOffset? ParseDjangoUtc(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return null;
        }

        var value = DateTime.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        return new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }

    /// <summary>A pytz zone name as a TimeZoneInfo; unknown names fall back to UTC, as Kolibri does.</summary>
    public static TimeZoneInfo FindZone(string? name)
    {
        if (string.IsNullOrEmpty(name) || name is "UTC" or "Etc/UTC" or "GMT")
        {
            return TimeZoneInfo.Utc;
        }

        return Zones.GetOrAdd(name, static n =>
        {
            try
            {
                return TimeZoneInfo.FindSystemTimeZoneById(n);
            }
            catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                return TimeZoneInfo.Utc;
            }
        });
    }
}
