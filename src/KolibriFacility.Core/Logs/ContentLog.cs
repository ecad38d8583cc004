namespace KolibriFacility.Core.Logs;

/// <summary>What Kolibri's session and summary logs have in common, with names looked up as Kolibri's export does.</summary>
public abstract class ContentLog
{
    public required string Id { get; init; }
    /// <summary>Empty for anonymous (guest) logs.</summary>
    public string Username { get; init; } = "";
    public string? UserId { get; init; }
    /// <summary>The user's facility name (binds to -Facility by property name); empty for anonymous logs.</summary>
    public string Facility { get; init; } = "";
    public string ChannelId { get; init; } = "";
    /// <summary>Empty when the channel is not on the device.</summary>
    public string ChannelName { get; init; } = "";
    public required string ContentId { get; init; }
    /// <summary>Title of the first content node with this content id; empty when the resource is not on the device.</summary>
    public string ContentTitle { get; init; } = "";
    /// <summary>Time of first interaction, in the zone Kolibri stored with it.</summary>
    public DateTimeOffset StartTime { get; init; }
    /// <summary>Time of last interaction.</summary>
    public DateTimeOffset? EndTime { get; init; }
    public TimeSpan TimeSpent { get; init; }
    /// <summary>Time spent in seconds, as stored.</summary>
    public double TimeSpentSeconds { get; init; }
    /// <summary>0 to 1 (a session's progress can exceed 1).</summary>
    public double Progress { get; init; }
    /// <summary>Kolibri's content kind: video, exercise, document, audio, html5, slideshow, ...</summary>
    public string ContentKind { get; init; } = "";
    public string DatasetId { get; init; } = "";
    public string Database { get; init; } = "";
}

/// <summary>One visit to a resource (logger_contentsessionlog).</summary>
public sealed class SessionLog : ContentLog
{
    public override string ToString() => $"{Username} {ContentTitle} {StartTime:u}";
}

/// <summary>One learner's totals for one resource (logger_contentsummarylog).</summary>
public sealed class SummaryLog : ContentLog
{
    /// <summary>When the resource was completed; null when not (yet) completed.</summary>
    public DateTimeOffset? CompletionTime { get; init; }

    public override string ToString() => $"{Username} {ContentTitle} {Progress:0.####}";
}
