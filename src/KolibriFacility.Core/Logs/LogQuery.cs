using System.Globalization;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Which logs of a facility to read. Dates are UTC calendar days, both inclusive, tested against the time of first
/// interaction, as Kolibri's export filters them (docs/Kolibri.md, Log date range). Null members mean "no restriction".
/// </summary>
public sealed record LogQuery
{
    public LogType Type { get; init; } = LogType.Session;

    /// <summary>First UTC day whose logs are included.</summary>
    public DateOnly? StartDate { get; init; }

    /// <summary>Last UTC day whose logs are included (the whole day, up to the next midnight).</summary>
    public DateOnly? EndDate { get; init; }

    /// <summary>Only logs of these user ids.</summary>
    public IReadOnlyCollection<string>? UserIds { get; init; }

    /// <summary>Only logs of learners enrolled in one of these classroom ids.</summary>
    public IReadOnlyCollection<string>? ClassIds { get; init; }

    /// <summary>The stored-text lower bound: Kolibri's timestamp text starts with the UTC clock time, so text order is time order.</summary>
    internal string? StartBound => Bound(StartDate);

    /// <summary>The exclusive upper bound: midnight (UTC) after the end date.</summary>
    internal string? EndBound => Bound(EndDate?.AddDays(1));

    private static string? Bound(DateOnly? day) => day is { } d ? d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + " 00:00:00.000000" : null;

    internal string Table => Type == LogType.Summary ? "logger_contentsummarylog" : "logger_contentsessionlog";
}
