using System.Net;
using System.Security;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

/// <summary>
/// The Invoke-PortalSync workflow without PowerShell: a copy of the fixture, the loopback portal stand-in and the
/// stand-in for Kolibri's command; a host that answers ShouldProcess as told and records what it was asked.
/// </summary>
public sealed class PortalSyncServiceTests : IDisposable
{
    private const string SentToken = "kx7qpm2vd9";
    private readonly TempFolder home = new();
    private readonly PortalStandIn portal = new("Nairobi Learning Centres", SentToken);
    private readonly string db;
    private readonly Facility facility;

    public PortalSyncServiceTests()
    {
        db = home.CopyFixtureDatabase();
        KolibriStandIn.SetScenario(home.Path, "success", contactServer: true);
        using var database = KolibriDatabase.OpenRead(db);
        facility = database.DefaultFacility();
    }

    public void Dispose()
    {
        portal.Dispose();
        home.Dispose();
    }

    private sealed class RecordingHost(bool previewOnly = false, bool answer = true) : IPortalSyncHost
    {
        public List<string> Asked { get; } = [];
        public List<string> Warnings { get; } = [];
        public List<string> Verbose { get; } = [];
        public int SyncsFinished { get; private set; }
        public bool PreviewOnly => previewOnly;

        public bool ShouldProcess(string target, string action)
        {
            Asked.Add(action);
            return answer;
        }

        void IPortalSyncHost.Verbose(string message) => Verbose.Add(message);

        public void Warning(string message) => Warnings.Add(message);

        public void SyncStarting(KolibriSyncRequest request)
        {
        }

        public void SyncLine(KolibriOutputLine line)
        {
        }

        public void SyncFinished(SyncResult result) => SyncsFinished++;
    }

    private static SecureString Secure(string text)
    {
        var secure = new NetworkCredential("", text).SecurePassword;
        secure.MakeReadOnly();
        return secure;
    }

    private PortalSyncOptions Options(KolibriProgram? program, KolibriCommandNotFoundException? notFound = null) => new()
    {
        Facility = facility,
        DatabasePath = db,
        ServerUrl = portal.BaseUrl,
        IsPortal = true,
        Token = Secure("kx7qp-m2vd9"),
        Program = program,
        ProgramNotFound = notFound,
    };

    private static KolibriProgram StandIn => new(KolibriStandIn.Executable, [], "test");

    private string Registered()
    {
        using var database = KolibriDatabase.OpenRead(db);
        using var command = database.Command("SELECT registered || ':' || _morango_dirty_bit FROM kolibriauth_facilitydataset WHERE id = $id");
        command.Parameters.AddWithValue("$id", facility.DatasetId);
        return command.ExecuteScalar()!.ToString()!;
    }

    [Fact]
    public void When_the_portal_does_not_know_the_facility_it_syncs_registers_again_marks_it_and_syncs()
    {
        portal.RequireSyncBeforeRegistration = true;
        var host = new RecordingHost();

        var result = new PortalSyncService(host).Run(Options(StandIn), CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(SyncState.Completed, result.Status);
        Assert.True(result.Registered);
        Assert.Equal("Nairobi Learning Centres", result.Project);
        Assert.Equal(3, host.Asked.Count);
        Assert.StartsWith("Register with Kolibri Data Portal project 'Nairobi Learning Centres'", host.Asked[0], StringComparison.Ordinal);
        Assert.StartsWith("Sync with the Kolibri Data Portal at " + portal.BaseUrl + " so the portal knows the facility", host.Asked[1], StringComparison.Ordinal);
        Assert.StartsWith("Sync facility data with the Kolibri Data Portal", host.Asked[2], StringComparison.Ordinal);
        Assert.Equal(2, host.SyncsFinished);
        Assert.Equal(2, KolibriStandIn.Starts(home.Path).Count);
        Assert.Single(portal.Registrations);
        Assert.Empty(portal.Rejections);
        Assert.Equal("1:1", Registered());
    }

    [Fact]
    public void A_preview_without_kolibri_checks_the_token_and_warns_that_the_sync_step_cannot_run()
    {
        var host = new RecordingHost(previewOnly: true, answer: false);
        var missing = new KolibriCommandNotFoundException("Kolibri's 'kolibri' command is not on PATH.");

        var result = new PortalSyncService(host).Run(Options(null, missing), CancellationToken.None);

        Assert.Null(result);
        Assert.Equal(["GET /portal/api/public/v1/registerfacility/validate_token"], portal.Paths);
        Assert.Single(host.Asked);
        Assert.Equal(["The sync step cannot run: Kolibri's 'kolibri' command is not on PATH."], host.Warnings);
        Assert.StartsWith("0:", Registered(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_kolibri_a_real_run_stops_before_contacting_the_portal()
    {
        var missing = new KolibriCommandNotFoundException("Kolibri's 'kolibri' command is not on PATH.");
        var ex = Assert.Throws<KolibriCommandNotFoundException>(() => new PortalSyncService(new RecordingHost()).Run(Options(null, missing), CancellationToken.None));
        Assert.Same(missing, ex);
        Assert.Empty(portal.Requests);
        Assert.StartsWith("0:", Registered(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_first_sync_is_returned_and_the_facility_is_not_marked_registered()
    {
        portal.RequireSyncBeforeRegistration = true;
        KolibriStandIn.SetScenario(home.Path, "failure");

        var result = new PortalSyncService(new RecordingHost()).Run(Options(StandIn), CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(SyncState.Failed, result.Status);
        Assert.False(result.Registered);
        Assert.Empty(portal.Registrations);
        Assert.StartsWith("0:", Registered(), StringComparison.Ordinal);
    }
}
