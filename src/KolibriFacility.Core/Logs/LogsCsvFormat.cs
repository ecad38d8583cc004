using KolibriFacility.Core.IO;

namespace KolibriFacility.Core.Logs;

/// <summary>The columns of Kolibri 0.17's log exports, with their English labels, in Kolibri's order (docs/Kolibri.md, Log columns).</summary>
public static class LogsCsvFormat
{
    public static readonly string[] SessionHeader =
    [
        "Facility name", "Username", "Channel id", "Channel name", "Content id", "Content title",
        "Time of first interaction", "Time of last interaction", "Time Spent (sec)", "Progress (0-1)", "Content kind",
    ];

    public static readonly string[] SummaryHeader =
    [
        "Facility name", "Username", "Channel id", "Channel name", "Content id", "Content title",
        "Time of first interaction", "Time of last interaction", "Time of completion", "Time Spent (sec)", "Progress (0-1)", "Content kind",
    ];

    public static string[] Header(LogType type) => type == LogType.Summary ? SummaryHeader : SessionHeader;

    /// <summary>Kolibri's default file name: <c>{facility}_{id[:4]}_content_{session|summary}_logs_from_{start}_to_{end}.csv</c>, made safe for any file system.</summary>
    public static string DefaultFileName(string facilityName, string facilityId, LogType type, DateOnly start, DateOnly end) =>
        FileNames.Safe(facilityName, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"_{facilityId[..Math.Min(4, facilityId.Length)]}_content_{(type == LogType.Summary ? "summary" : "session")}_logs_from_{start:yyyy-MM-dd}_to_{end:yyyy-MM-dd}.csv"));
}
