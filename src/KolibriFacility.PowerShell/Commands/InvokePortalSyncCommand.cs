using System.Management.Automation;
using System.Security;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Portal;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Registers a facility with a Kolibri Data Portal project (natively, as Kolibri's token dialog does) and syncs it
/// through Kolibri's own `kolibri manage sync`, with the portal or with a peer Kolibri server.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PortalSync", SupportsShouldProcess = true, DefaultParameterSetName = PortalSet, HelpUri = HelpLinks.InvokePortalSync)]
[OutputType(typeof(SyncResult))]
public sealed class InvokePortalSyncCommand : FacilityCmdlet
{
    private const string PortalSet = "Portal";
    private const string PeerSet = "Peer";
    private const int ProgressId = 0x4B50;

    /// <summary>The project token from the Kolibri Data Portal (SecureString; a string is accepted too). Registers the facility when it is not registered yet.</summary>
    [Parameter(Position = 0, ParameterSetName = PortalSet)]
    [SecureStringArgument]
    public SecureString? Token { get; set; }

    /// <summary>The portal's base URL. Default: KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL, else options.ini [Urls] DATA_PORTAL_SYNCING_BASE_URL, else Kolibri's default.</summary>
    [Parameter(ParameterSetName = PortalSet)]
    [ValidateNotNullOrEmpty]
    public string? PortalUrl { get; set; }

    /// <summary>A peer Kolibri server to sync with instead of the portal, e.g. http://10.0.0.5:8080.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PeerSet)]
    [ValidateNotNullOrEmpty]
    public string? Server { get; set; }

    /// <summary>A facility admin or superuser account on the peer server.</summary>
    [Parameter(ParameterSetName = PeerSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Kolibri's command: a path or a command line such as 'python3 -m kolibri'. Default: $env:KOLIBRI_COMMAND, else kolibri on PATH.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KolibriCommand { get; set; }

    /// <summary>Only pull from the server (kolibri sync --no-push).</summary>
    [Parameter]
    public SwitchParameter NoPush { get; set; }

    /// <summary>Only push to the server (kolibri sync --no-pull).</summary>
    [Parameter]
    public SwitchParameter NoPull { get; set; }

    /// <summary>Seconds to wait for each answer from the portal during registration.</summary>
    [Parameter]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 60;

    /// <summary>Kolibri's sync runs with the KOLIBRI_HOME whose options.ini names the PostgreSQL database (Core.Portal.KolibriSyncHome).</summary>
    private bool IsPortal => ParameterSetName == PortalSet;

    private SyncDirection Direction => NoPush ? SyncDirection.PullOnly : NoPull ? SyncDirection.PushOnly : SyncDirection.PullAndPush;

    protected override void Complete()
    {
        try
        {
            Run();
        }
        finally
        {
            CloseDatabase();
        }
    }

    private void Run()
    {
        if (NoPush && NoPull)
        {
            throw Terminate(new ArgumentException("-NoPush and -NoPull together leave nothing to sync; use at most one of them."), ErrorIds.NothingToSync, ErrorCategory.InvalidArgument, null);
        }

        // Before connecting: a database Kolibri cannot be pointed at (a connection string, a file not named db.sqlite3) is refused as it is.
        var databasePath = DatabaseFile;
        if (KolibriSyncHome.Of(databasePath, out var whyNot) is null)
        {
            throw Terminate(new InvalidOperationException(whyNot), ErrorIds.KolibriHomeMismatch, ErrorCategory.InvalidArgument, databasePath);
        }

        var facility = CurrentFacility;
        ErrorContext = facility.Name;
        databasePath = OpenedDatabase.Path;

        var server = IsPortal ? ResolvePortalUrl(OpenedDatabase.Home) : ResolvePeerUrl(Server!);
        var host = new CmdletPortalSyncHost(this, ProgressId);
        var (program, notFound) = FindKolibri(host.PreviewOnly);
        CloseDatabase(); // Kolibri writes to it during the sync
        var password = Credential?.GetNetworkCredential().Password;
        var options = new PortalSyncOptions
        {
            Facility = facility,
            DatabasePath = databasePath,
            ServerUrl = server,
            IsPortal = IsPortal,
            Token = IsPortal ? Token : null,
            Program = program,
            ProgramNotFound = notFound,
            Direction = Direction,
            Username = Credential?.UserName,
            Password = string.IsNullOrEmpty(password) ? null : password,
            PortalTimeout = TimeSpan.FromSeconds(TimeoutSec),
        };
        // Portal and Kolibri-command failures become error records in KolibriCmdlet's guard, about the facility (ErrorContext).
        var result = new PortalSyncService(host).Run(options, Cancellation);
        if (result is null)
        {
            return;
        }

        if (result.Status == SyncState.Completed)
        {
            WriteObject(result);
        }
        else
        {
            WriteSyncFailure(result);
        }
    }

    private void WriteSyncFailure(SyncResult result)
    {
        var said = result.Message ?? "Kolibri printed no error message";
        var exception = new InvalidOperationException(
            $"Kolibri's sync of '{result.Facility}' with {result.Server} failed (exit code {result.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"}, during {result.LastStage.KolibriName()}): {said}");
        WriteError(new ErrorRecord(exception, ErrorIds.KolibriSyncFailed, ErrorCategory.InvalidResult, result)
        {
            ErrorDetails = new ErrorDetails(exception.Message) { RecommendedAction = $"See Kolibri's log {result.KolibriLog} and run Invoke-PortalSync again; morango resumes interrupted transfers." },
        });
    }

    private string ResolvePortalUrl(string home)
    {
        try
        {
            var url = Core.Portal.PortalUrls.Resolve(PortalUrl, home);
            WriteVerbose($"Kolibri Data Portal: {url.Url} (from {url.Source})");
            return url.Url;
        }
        catch (ArgumentException ex)
        {
            throw Terminate(ex, ErrorIds.InvalidServerUrl, ErrorCategory.InvalidArgument, PortalUrl);
        }
    }

    /// <summary>A peer address; a bare host[:port] gets http:// as Kolibri's get_baseurl gives it.</summary>
    private string ResolvePeerUrl(string server)
    {
        var url = server.Trim();
        if (!url.Contains("://", StringComparison.Ordinal))
        {
            url = "http://" + url;
        }

        try
        {
            return Core.Portal.PortalUrls.Validate(url, "-Server");
        }
        catch (ArgumentException ex)
        {
            throw Terminate(ex, ErrorIds.InvalidServerUrl, ErrorCategory.InvalidArgument, server);
        }
    }

    /// <summary>Kolibri's command; when it is missing, a -WhatIf run goes on (it still checks the token) and anything else stops here, before any change.</summary>
    private (KolibriProgram? Program, KolibriCommandNotFoundException? NotFound) FindKolibri(bool previewOnly)
    {
        try
        {
            var program = KolibriCommandLocator.Find(KolibriCommand is null ? null : ExpandPath(KolibriCommand), Environment.GetEnvironmentVariable);
            WriteVerbose($"Kolibri command: {program} (from {program.Source})");
            return (program, null);
        }
        catch (KolibriCommandNotFoundException ex) when (previewOnly)
        {
            return (null, ex);
        }
    }

    /// <summary>A relative path is taken from PowerShell's current location; a command line is passed through.</summary>
    private string ExpandPath(string value)
    {
        var candidate = value.Trim().Trim('"', '\'');
        try
        {
            var full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(candidate);
            return File.Exists(full) ? full : value;
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or ArgumentException or PSInvalidOperationException)
        {
            return value;
        }
    }

}
