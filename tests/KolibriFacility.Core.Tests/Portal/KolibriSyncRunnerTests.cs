using System.Diagnostics;
using KolibriFacility.Core.Portal;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

/// <summary>The runner against the stand-in for Kolibri's command (tests/KolibriFacility.KolibriStandIn).</summary>
public sealed class KolibriSyncRunnerTests : IDisposable
{
    private readonly TempFolder home = new();

    public void Dispose() => home.Dispose();

    private KolibriSyncRequest Request(string scenario, SyncDirection direction = SyncDirection.PullAndPush, bool portal = true)
    {
        KolibriStandIn.SetScenario(home.Path, scenario);
        return new KolibriSyncRequest
        {
            Program = new KolibriProgram(KolibriStandIn.Executable, [], "test"),
            DatabasePath = home.File("db.sqlite3"),
            KolibriHome = home.Path,
            FacilityId = "d75cec9798e731cf071b5fa20c8ee4ed",
            FacilityName = "Test School",
            BaseUrl = "http://127.0.0.1:9",
            IsPortal = portal,
            Direction = direction,
            StopGracePeriod = TimeSpan.FromSeconds(10),
        };
    }

    [Fact]
    public void A_successful_sync_runs_kolibri_manage_sync_in_the_databases_home_and_reports_every_stage()
    {
        var lines = new List<KolibriOutputLine>();
        var outcome = KolibriSyncRunner.Run(Request("success"), lines.Add, CancellationToken.None);

        Assert.Equal(SyncState.Completed, outcome.Status);
        Assert.Equal(0, outcome.ExitCode);
        Assert.Equal("Test School", outcome.Facility);
        Assert.Null(outcome.Message);
        Assert.Equal(40, outcome.RecordsReceived);
        Assert.Equal(120, outcome.RecordsSent);
        Assert.Equal(
            [SyncState.SessionCreation, SyncState.SessionCreation, SyncState.RemoteQueuing, SyncState.Pulling, SyncState.LocalDequeuing, SyncState.SessionCreation, SyncState.LocalQueuing, SyncState.Pushing, SyncState.RemoteDequeuing, SyncState.Completed],
            lines.Where(l => l.State is not null).Select(l => l.State!.Value));

        var start = Assert.Single(KolibriStandIn.Starts(home.Path));
        Assert.Equal(["manage", "sync", "--facility", "d75cec9798e731cf071b5fa20c8ee4ed", "--baseurl", "http://127.0.0.1:9", "--chunk-size", "200", "--noninteractive"], KolibriStandIn.Arguments(start));
        Assert.Equal(home.Path, start.GetProperty("kolibriHome").GetString());
        Assert.Equal("http://127.0.0.1:9", start.GetProperty("portalUrl").GetString());
        Assert.Equal("1", start.GetProperty("pythonUnbuffered").GetString());
    }

    [Fact]
    public void Record_counts_are_the_highest_kolibri_reported_although_its_progress_bar_repeats_an_older_count_last()
    {
        var lines = new List<KolibriOutputLine>();
        var outcome = KolibriSyncRunner.Run(Request("kolibri-0.17.5"), lines.Add, CancellationToken.None);

        Assert.Equal(SyncState.Completed, outcome.Status);
        Assert.Equal("Sending data (200/285, 34.00KB)", lines.Last(l => l.State == SyncState.Pushing).Message);
        Assert.Equal(40, outcome.RecordsReceived);
        Assert.Equal(285, outcome.RecordsSent);
    }

    [Fact]
    public void A_peer_sync_does_not_pretend_the_peer_is_the_portal_and_no_push_pulls_only()
    {
        var outcome = KolibriSyncRunner.Run(Request("success", SyncDirection.PullOnly, portal: false), null, CancellationToken.None);
        Assert.Equal(SyncState.Completed, outcome.Status);
        Assert.Null(outcome.RecordsSent);
        var start = Assert.Single(KolibriStandIn.Starts(home.Path));
        Assert.Contains("--no-push", KolibriStandIn.Arguments(start));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, start.GetProperty("portalUrl").ValueKind);
    }

    [Fact]
    public void A_failing_sync_returns_the_exit_code_and_kolibris_own_message()
    {
        var outcome = KolibriSyncRunner.Run(Request("failure"), null, CancellationToken.None);
        Assert.Equal(SyncState.Failed, outcome.Status);
        Assert.Equal(1, outcome.ExitCode);
        Assert.Equal("Device can not sync with itself. Please recheck base URL and try again.", outcome.Message);
        Assert.Equal(SyncState.SessionCreation, outcome.LastStage);
    }

    [Fact]
    public async Task Cancelling_interrupts_kolibri_which_stops_cleanly()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows has no SIGINT for a child without our console; the runner kills it there.
        }

        InheritedSigint.StopIgnoring();
        using var cancel = new CancellationTokenSource();
        var request = Request("hang");
        var run = Task.Run(() => KolibriSyncRunner.Run(request, null, cancel.Token));
        var waited = Stopwatch.StartNew();
        while (!KolibriStandIn.Records(home.Path).Any(r => r.GetProperty("event").GetString() == "waiting") && waited.Elapsed < TimeSpan.FromSeconds(20))
        {
            await Task.Delay(50);
        }

        cancel.Cancel();
        var outcome = await run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(SyncState.Cancelled, outcome.Status);
        Assert.Equal(130, outcome.ExitCode); // its own KeyboardInterrupt exit, not a kill
        Assert.Contains(KolibriStandIn.Records(home.Path), r => r.GetProperty("event").GetString() == "interrupted");
        var pid = Assert.Single(KolibriStandIn.Starts(home.Path)).GetProperty("pid").GetInt32();
        Assert.Throws<ArgumentException>(() => Process.GetProcessById(pid));
    }

    [Fact]
    public void A_database_not_named_db_sqlite3_is_refused_because_kolibri_would_sync_another_file()
    {
        var request = new KolibriSyncRequest
        {
            Program = new KolibriProgram(KolibriStandIn.Executable, [], "test"),
            DatabasePath = home.File("copy.sqlite3"),
            KolibriHome = home.Path,
            FacilityId = "x",
            FacilityName = "x",
            BaseUrl = "http://127.0.0.1:9",
        };
        Assert.Contains("db.sqlite3", Assert.Throws<ArgumentException>(() => KolibriSyncRunner.Run(request, null, CancellationToken.None)).Message, StringComparison.Ordinal);
        Assert.Empty(KolibriStandIn.Records(home.Path));
    }

    [Fact]
    public void A_command_that_cannot_start_is_a_clear_not_found_error()
    {
        var request = Request("success") ;
        var broken = new KolibriSyncRequest
        {
            Program = new KolibriProgram(home.File("not-a-program"), [], "test"),
            DatabasePath = request.DatabasePath,
            KolibriHome = request.KolibriHome,
            FacilityId = request.FacilityId,
            FacilityName = request.FacilityName,
            BaseUrl = request.BaseUrl,
        };
        File.WriteAllText(home.File("not-a-program"), "plain text");
        var ex = Assert.Throws<KolibriCommandNotFoundException>(() => KolibriSyncRunner.Run(broken, null, CancellationToken.None));
        Assert.Contains("Could not start", ex.Message, StringComparison.Ordinal);
    }
}
