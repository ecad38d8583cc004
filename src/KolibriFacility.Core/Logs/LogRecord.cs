namespace KolibriFacility.Core.Logs;

/// <summary>
/// One log row as stored, with the user, facility, channel and content names looked up. The reader reuses one
/// instance for every row so that streaming a million rows allocates only the row's own strings.
/// </summary>
public sealed class LogRecord
{
    public string Id { get; internal set; } = "";
    public string? UserId { get; internal set; }
    public string Username { get; internal set; } = "";
    public string FacilityName { get; internal set; } = "";
    public string ChannelId { get; internal set; } = "";
    public string ChannelName { get; internal set; } = "";
    public string ContentId { get; internal set; } = "";
    public string ContentTitle { get; internal set; } = "";
    public string StartTimestamp { get; internal set; } = "";
    public string? EndTimestamp { get; internal set; }
    /// <summary>Summary logs only.</summary>
    public string? CompletionTimestamp { get; internal set; }
    public double TimeSpent { get; internal set; }
    public double Progress { get; internal set; }
    public string Kind { get; internal set; } = "";
    public string DatasetId { get; internal set; } = "";
}
