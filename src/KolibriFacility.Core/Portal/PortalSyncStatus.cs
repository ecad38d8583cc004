namespace KolibriFacility.Core.Portal;

/// <summary>A facility's registration and sync history, as Get-PortalSyncStatus shows it.</summary>
public sealed class PortalSyncStatus
{
    public required string Facility { get; init; }
    public required string FacilityId { get; init; }
    public required string DatasetId { get; init; }
    /// <summary>kolibriauth_facilitydataset.registered: registered with a Kolibri Data Portal project.</summary>
    public bool Registered { get; init; }
    /// <summary>The portal this device syncs with (options.ini / environment / Kolibri's default).</summary>
    public required string PortalUrl { get; init; }
    public PortalUrlSource PortalUrlSource { get; init; }
    /// <summary>True when this device holds the facility's root certificate key (needed to register).</summary>
    public bool OwnsCertificate { get; init; }
    /// <summary>End of the last completed sync with the portal.</summary>
    public DateTimeOffset? LastPortalSync { get; init; }
    /// <summary>End of the last completed sync with any server.</summary>
    public DateTimeOffset? LastSuccessfulSync { get; init; }
    public string? LastSuccessfulServer { get; init; }
    /// <summary>The most recent sync sessions of this facility, newest first.</summary>
    public required IReadOnlyList<SyncSessionInfo> Sessions { get; init; }
    public required string Database { get; init; }

    public override string ToString() => $"{Facility}: {(Registered ? "registered" : "not registered")}, last sync {LastSuccessfulSync?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}";
}

/// <summary>One morango sync session (morango_syncsession with its morango_transfersession rows).</summary>
public sealed class SyncSessionInfo
{
    public required string Id { get; init; }
    /// <summary>connection_path: the server's base URL.</summary>
    public required string Server { get; init; }
    public bool IsPortal { get; init; }
    /// <summary>True when this device was the server of the session (a peer synced with it).</summary>
    public bool IsServer { get; init; }
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset LastActivity { get; init; }
    /// <summary>Morango still considers the session open (running, interrupted, or resumable).</summary>
    public bool Active { get; init; }
    public bool Pulled { get; init; }
    public bool Pushed { get; init; }
    public long RecordsReceived { get; init; }
    public long RecordsSent { get; init; }
    public long BytesReceived { get; init; }
    public long BytesSent { get; init; }
    /// <summary>Every transfer session reached cleanup/completed and the session was closed.</summary>
    public bool Completed { get; init; }
    /// <summary>The stage of the transfer that did not finish (else of the last one), e.g. "transferring" or "cleanup".</summary>
    public string? Stage { get; init; }
    public string? StageStatus { get; init; }

    public override string ToString() => $"{Server} {Started:u} {(Completed ? "completed" : Active ? "open" : "incomplete")}";
}
