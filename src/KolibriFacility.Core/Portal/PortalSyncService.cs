using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// The Invoke-PortalSync workflow: with a token, register the facility with the portal project (natively, as
/// Kolibri's token dialog does; when the portal does not know the facility yet, sync first and register again, as
/// Kolibri's registerfacility command does), record the registration, then sync through Kolibri's own command.
/// Portal and certificate problems are PortalExceptions, a missing Kolibri a KolibriCommandNotFoundException,
/// cancellation an OperationCanceledException; a sync Kolibri reports as failed is a result with Status Failed.
/// </summary>
public sealed class PortalSyncService(IPortalSyncHost host)
{
    /// <returns>The last sync's result, or null when no sync ran (declined, or a preview).</returns>
    public SyncResult? Run(PortalSyncOptions options, CancellationToken cancellation)
    {
        if (options.Program is null && !host.PreviewOnly)
        {
            throw ProgramNotFound(options);
        }

        // Before anything reaches the portal: Kolibri must be able to sync this very database.
        var home = KolibriSyncHome.Of(options.DatabasePath, out var whyNot) ?? throw new ArgumentException(whyNot, nameof(options));
        var facility = options.Facility;
        var target = $"facility '{facility.Name}' ({facility.Id})";
        var registered = facility.Registered;
        string? project = null;
        if (options.IsPortal && options.Token is { } typedToken)
        {
            if (registered)
            {
                host.Warning($"Facility '{facility.Name}' is already registered with the Kolibri Data Portal; -Token was not used.");
            }
            else
            {
                var chain = ReadOwnedCertificateChain(options);
                var token = PortalToken.FromSecureString(typedToken);
                using var http = new HttpClient { Timeout = options.PortalTimeout };
                var client = new PortalClient(http, options.ServerUrl);
                project = client.ValidateTokenAsync(token, cancellation).GetAwaiter().GetResult().Name;
                host.Verbose($"The token belongs to Kolibri Data Portal project '{project}' ({options.ServerUrl}).");
                if (host.ShouldProcess(target, $"Register with Kolibri Data Portal project '{project}' at {options.ServerUrl}"))
                {
                    var registration = Register(new PortalRegistrar(client), options, home, chain, token, project, target, cancellation);
                    if (!registration.Registered)
                    {
                        return registration.FailedFirstSync;
                    }

                    registered = true;
                }
            }
        }
        else if (options.IsPortal && !registered)
        {
            host.Warning($"Facility '{facility.Name}' is not registered with a Kolibri Data Portal project, so the portal will not show its data in a project. Register it with -Token (Read-Host -AsSecureString 'Project token').");
        }

        if (options.Program is null)
        {
            host.Warning($"The sync step cannot run: {ProgramNotFound(options).Message}");
            return null;
        }

        var request = Request(options, home, registered, project);
        return host.ShouldProcess(target, $"Sync facility data with {Describe(options)} ({DescribeDirection(options.Direction)}) by running: {request.DisplayCommandLine()}")
            ? Sync(request, cancellation)
            : null;
    }

    private (bool Registered, SyncResult? FailedFirstSync) Register(PortalRegistrar registrar, PortalSyncOptions options, string home, IReadOnlyList<MorangoCertificate> chain, PortalToken token, string project, string target, CancellationToken cancellation)
    {
        var facility = options.Facility;
        try
        {
            registrar.RegisterAsync(facility, chain, token, cancellation).GetAwaiter().GetResult();
        }
        catch (PortalException ex) when (ex.Problem == PortalProblem.FacilityDoesNotExist)
        {
            host.Verbose($"The portal has no data for '{facility.Name}' yet; syncing first, then registering again (as Kolibri's registerfacility command does).");
            if (options.Program is null)
            {
                throw ProgramNotFound(options);
            }

            var request = Request(options, home, registered: false, project);
            if (!host.ShouldProcess(target, $"Sync with {Describe(options)} so the portal knows the facility, then register again by running: {request.DisplayCommandLine()}"))
            {
                return (false, null);
            }

            var first = Sync(request, cancellation);
            if (first.Status != SyncState.Completed)
            {
                return (false, first);
            }

            registrar.RegisterAsync(facility, chain, token, cancellation).GetAwaiter().GetResult();
        }

        FacilityRegistrationStore.MarkRegistered(options.DatabasePath, facility.DatasetId);
        host.Verbose($"Facility '{facility.Name}' is registered with project '{project}'; kolibriauth_facilitydataset.registered is set (it reaches the portal with this sync).");
        return (true, null);
    }

    private SyncResult Sync(KolibriSyncRequest request, CancellationToken cancellation)
    {
        host.Verbose($"Running {request.DisplayCommandLine()} with KOLIBRI_HOME={request.KolibriHome}");
        host.SyncStarting(request);
        var result = KolibriSyncRunner.Run(request, host.SyncLine, cancellation);
        if (result.Status == SyncState.Cancelled)
        {
            throw new OperationCanceledException(cancellation);
        }

        host.SyncFinished(result);
        return result;
    }

    /// <summary>The facility's owned root certificate chain, read (and verified) before anything is sent to the portal.</summary>
    private static IReadOnlyList<MorangoCertificate> ReadOwnedCertificateChain(PortalSyncOptions options)
    {
        using var database = KolibriDatabase.OpenRead(options.DatabasePath);
        return new FacilityCertificates(database).GetVerifiedOwnedChain(options.Facility.DatasetId, options.Facility.Name);
    }

    private static KolibriSyncRequest Request(PortalSyncOptions options, string home, bool registered, string? project) => new()
    {
        Program = options.Program!,
        DatabasePath = options.DatabasePath,
        KolibriHome = home,
        FacilityId = options.Facility.Id,
        FacilityName = options.Facility.Name,
        BaseUrl = options.ServerUrl,
        IsPortal = options.IsPortal,
        Direction = options.Direction,
        Username = options.Username,
        Password = options.Password,
        Registered = registered,
        Project = project,
    };

    private static KolibriCommandNotFoundException ProgramNotFound(PortalSyncOptions options) =>
        options.ProgramNotFound ?? new KolibriCommandNotFoundException($"Kolibri's command was not given. {KolibriCommandLocator.HowToPoint}");

    private static string Describe(PortalSyncOptions options) =>
        options.IsPortal ? $"the Kolibri Data Portal at {options.ServerUrl}" : $"Kolibri server {options.ServerUrl}";

    private static string DescribeDirection(SyncDirection direction) => direction switch
    {
        SyncDirection.PullOnly => "pull only",
        SyncDirection.PushOnly => "push only",
        _ => "pull, then push",
    };
}
