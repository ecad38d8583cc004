using System.Management.Automation;
using System.Security;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Security;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Registers a facility with a Kolibri Data Portal project (natively, as Kolibri's token dialog does) and syncs it
/// through Kolibri's own `kolibri manage sync`, with the portal or with a peer Kolibri server.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "PortalSync", SupportsShouldProcess = true, DefaultParameterSetName = PortalSet)]
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

    private bool IsPortal => ParameterSetName == PortalSet;

    protected override void End()
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

        var facility = CurrentFacility;
        ErrorContext = facility.Name;
        var databasePath = OpenedDatabase.Path;
        if (!KolibriSyncRunner.IsKolibriHomeDatabase(databasePath))
        {
            throw Terminate(new InvalidOperationException($"Kolibri always syncs KOLIBRI_HOME/db.sqlite3, but this database is '{databasePath}'. Run Invoke-PortalSync on the db.sqlite3 of the Kolibri home you want to sync."),
                ErrorIds.KolibriHomeMismatch, ErrorCategory.InvalidArgument, databasePath);
        }

        var server = IsPortal ? ResolvePortalUrl(OpenedDatabase.Home) : ResolvePeerUrl(Server!);
        var command = FindKolibri();
        var target = $"facility '{facility.Name}' ({facility.Id})";
        var registered = facility.Registered;
        string? project = null;
        var request = SyncRequest(command, databasePath, facility, server);

        if (IsPortal && Token is not null)
        {
            if (registered)
            {
                WriteWarning($"Facility '{facility.Name}' is already registered with the Kolibri Data Portal; -Token was not used.");
            }
            else
            {
                var chain = new FacilityCertificates(OpenedDatabase).GetVerifiedOwnedChain(facility.DatasetId, facility.Name);
                CloseDatabase();
                var token = PortalToken.FromSecureString(Token);
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(TimeoutSec) };
                var client = new PortalClient(http, server);
                project = client.ValidateTokenAsync(token, Cancellation).GetAwaiter().GetResult().Name;
                WriteVerbose($"The token belongs to Kolibri Data Portal project '{project}' ({server}).");
                if (ShouldProcess(target, $"Register with Kolibri Data Portal project '{project}' at {server}"))
                {
                    if (!Register(new PortalRegistrar(client), facility, chain, token, request, project, target))
                    {
                        return;
                    }

                    registered = true;
                }
            }
        }
        else if (IsPortal && !registered)
        {
            WriteWarning($"Facility '{facility.Name}' is not registered with a Kolibri Data Portal project, so the portal will not show its data in a project. Register it with -Token (Read-Host -AsSecureString 'Project token').");
        }

        CloseDatabase();
        if (!ShouldProcess(target, $"Sync facility data with {Describe(server)} ({Direction switch { SyncDirection.PullOnly => "pull only", SyncDirection.PushOnly => "push only", _ => "pull, then push" }}) by running: {request.DisplayCommandLine()}"))
        {
            return;
        }

        var result = Sync(request, facility, project, registered);
        if (result.Status == SyncState.Completed)
        {
            WriteObject(result);
        }
        else
        {
            WriteSyncFailure(result);
        }
    }

    private SyncDirection Direction => NoPush ? SyncDirection.PullOnly : NoPull ? SyncDirection.PushOnly : SyncDirection.PullAndPush;

    /// <summary>Registers; when the portal does not know the facility yet, syncs and retries once (as `kolibri manage registerfacility` does).</summary>
    private bool Register(PortalRegistrar registrar, Facility facility, IReadOnlyList<MorangoCertificate> chain, PortalToken token, KolibriSyncRequest request, string project, string target)
    {
        try
        {
            registrar.RegisterAsync(facility, chain, token, Cancellation).GetAwaiter().GetResult();
        }
        catch (PortalException ex) when (ex.Problem == PortalProblem.FacilityDoesNotExist)
        {
            WriteVerbose($"The portal has no data for '{facility.Name}' yet; syncing first, then registering again (as Kolibri's registerfacility command does).");
            if (!ShouldProcess(target, $"Sync with {Describe(request.BaseUrl)} so the portal knows the facility, then register again by running: {request.DisplayCommandLine()}"))
            {
                return false;
            }

            var first = Sync(request, facility, project, registered: false);
            if (first.Status != SyncState.Completed)
            {
                WriteSyncFailure(first);
                return false;
            }

            registrar.RegisterAsync(facility, chain, token, Cancellation).GetAwaiter().GetResult();
        }

        FacilityRegistrationStore.MarkRegistered(request.DatabasePath, facility.DatasetId);
        WriteVerbose($"Facility '{facility.Name}' is registered with project '{project}'; kolibriauth_facilitydataset.registered = 1 (it reaches the portal with this sync).");
        return true;
    }

    private SyncResult Sync(KolibriSyncRequest request, Facility facility, string? project, bool registered)
    {
        WriteVerbose($"Running {request.DisplayCommandLine()} with KOLIBRI_HOME={request.KolibriHome}");
        var progress = new SyncProgressWriter(this, ProgressId, $"Syncing '{facility.Name}' with {request.BaseUrl}");
        progress.Start();
        var outcome = new KolibriSyncRunner().Run(request, line =>
        {
            progress.Report(line);
            if (line.Text.Length > 0)
            {
                WriteVerbose("kolibri: " + line.Text);
            }
        }, Cancellation);

        if (outcome.Cancelled)
        {
            throw new OperationCanceledException(Cancellation);
        }

        progress.Complete();
        return new SyncResult
        {
            Facility = facility.Name,
            FacilityId = facility.Id,
            Server = request.BaseUrl,
            IsPortal = request.IsPortal,
            Project = project,
            Registered = registered,
            Started = outcome.Started,
            Finished = outcome.Finished,
            Direction = request.Direction,
            Status = outcome.Succeeded ? SyncState.Completed : SyncState.Failed,
            LastStage = outcome.LastStage,
            ExitCode = outcome.ExitCode,
            RecordsReceived = outcome.RecordsReceived,
            RecordsSent = outcome.RecordsSent,
            Message = outcome.Succeeded ? null : outcome.ErrorMessage,
            KolibriLog = request.LogPath,
            CommandLine = request.DisplayCommandLine(),
            Database = request.DatabasePath,
        };
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

    private KolibriSyncRequest SyncRequest(KolibriCommand command, string databasePath, Facility facility, string server)
    {
        var password = Credential?.GetNetworkCredential().Password;
        return new KolibriSyncRequest
        {
            Command = command,
            DatabasePath = databasePath,
            FacilityId = facility.Id,
            BaseUrl = server,
            IsPortal = IsPortal,
            Direction = Direction,
            Username = Credential?.UserName,
            Password = string.IsNullOrEmpty(password) ? null : password,
        };
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

    private KolibriCommand FindKolibri()
    {
        var command = KolibriCommandLocator.Find(KolibriCommand is null ? null : ExpandPath(KolibriCommand), Environment.GetEnvironmentVariable);
        WriteVerbose($"Kolibri command: {command} (from {command.Source})");
        return command;
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

    private string Describe(string server) => IsPortal ? $"the Kolibri Data Portal at {server}" : $"Kolibri server {server}";
}
