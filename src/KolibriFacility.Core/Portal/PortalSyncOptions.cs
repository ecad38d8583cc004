using System.Security;
using KolibriFacility.Core.Model;

namespace KolibriFacility.Core.Portal;

/// <summary>One Invoke-PortalSync: which facility, with which server, registering with which token.</summary>
public sealed class PortalSyncOptions
{
    public required Facility Facility { get; init; }
    /// <summary>The facility's database: KOLIBRI_HOME/db.sqlite3, or a KOLIBRI_HOME folder whose Kolibri runs on PostgreSQL (<see cref="KolibriSyncHome"/>).</summary>
    public required string DatabasePath { get; init; }
    /// <summary>The portal's base URL, or a peer Kolibri's.</summary>
    public required string ServerUrl { get; init; }
    public bool IsPortal { get; init; }
    /// <summary>The project token as typed: registers the facility first when it is not registered yet (portal only; read only then).</summary>
    public SecureString? Token { get; init; }
    /// <summary>Kolibri's command; null only when it was not found, which only a preview tolerates.</summary>
    public KolibriProgram? Program { get; init; }
    /// <summary>Why <see cref="Program"/> is null.</summary>
    public KolibriCommandNotFoundException? ProgramNotFound { get; init; }
    public SyncDirection Direction { get; init; } = SyncDirection.PullAndPush;
    /// <summary>A facility admin or superuser of the peer server (peer syncs only).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
    /// <summary>How long to wait for each answer of the portal during registration.</summary>
    public TimeSpan PortalTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
