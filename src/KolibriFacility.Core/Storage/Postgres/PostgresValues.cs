using System.Globalization;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// PostgreSQL values in the form Kolibri's Python and this module's SQLite code see them: <c>uuid</c> as 32 lowercase
/// hex digits (morango's UUIDField, <c>UUID.hex</c>), <c>timestamp with time zone</c> as Django's SQLite text of the
/// UTC clock (<c>2026-12-06 20:33:37.391487</c>, no fraction when it is zero).
/// </summary>
internal static class PostgresValues
{
    public static object FromProvider(object value) => value switch
    {
        Guid id => id.ToString("N"),
        DateTime time => DjangoText(time.Kind == DateTimeKind.Local ? time.ToUniversalTime() : time),
        DateTimeOffset time => DjangoText(time.UtcDateTime),
        _ => value,
    };

    public static Type FieldType(Type providerType) =>
        providerType == typeof(Guid) || providerType == typeof(DateTime) || providerType == typeof(DateTimeOffset) ? typeof(string) : providerType;

    private static string DjangoText(DateTime utc) =>
        utc.ToString(utc.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
}
