namespace KolibriFacility.Core.Portal;

/// <summary>The outcome of one Invoke-PortalSync sync run.</summary>
public sealed class SyncResult
{
    public required string Facility { get; init; }
    public required string FacilityId { get; init; }
    /// <summary>The server synced with (portal or peer base URL).</summary>
    public required string Server { get; init; }
    /// <summary>True when the server is the Kolibri Data Portal.</summary>
    public bool IsPortal { get; init; }
    /// <summary>The portal project the facility was registered with during this command, when it was.</summary>
    public string? Project { get; init; }
    /// <summary>kolibriauth_facilitydataset.registered after the command.</summary>
    public bool Registered { get; init; }
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset Finished { get; init; }
    public TimeSpan Duration => Finished - Started;
    public SyncDirection Direction { get; init; }
    /// <summary>Completed, Failed or Cancelled.</summary>
    public SyncState Status { get; init; }
    /// <summary>The last sync stage Kolibri reported before it finished.</summary>
    public SyncState LastStage { get; init; }
    public int? ExitCode { get; init; }
    public long? RecordsReceived { get; init; }
    public long? RecordsSent { get; init; }
    /// <summary>Kolibri's own message when the sync failed.</summary>
    public string? Message { get; init; }
    /// <summary>Kolibri's log file (KOLIBRI_HOME/logs/kolibri.txt) with the full story.</summary>
    public required string KolibriLog { get; init; }
    /// <summary>The command that ran (password masked).</summary>
    public required string CommandLine { get; init; }
    public required string Database { get; init; }

    public override string ToString() => $"{Facility} <-> {Server}: {Status}";
}
