using KolibriFacility.Core.Portal;

namespace KolibriFacility.Core.Tests.Portal;

public sealed class KolibriSyncOutputTests
{
    [Theory]
    [InlineData("INFO     2025-02-03 10:15:42,118 Syncing has been initiated (this may take a while)...", SyncState.SessionCreation)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Creating pull transfer session", SyncState.SessionCreation)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Remotely preparing data", SyncState.RemoteQueuing)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Locally integrating received data", SyncState.LocalDequeuing)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Locally preparing data to send", SyncState.LocalQueuing)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Remotely integrating data", SyncState.RemoteDequeuing)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Syncing has been completed.", SyncState.Completed)]
    [InlineData("INFO     2025-02-03 10:15:42,118 Syncing has been cancelled.", SyncState.Cancelled)]
    [InlineData("INFO 2025-02-03 10:15:42,118 kolibri.core.auth.management.commands.sync Remotely integrating data", SyncState.RemoteDequeuing)]
    public void Kolibri_messages_map_to_sync_states(string line, SyncState state)
    {
        var parsed = KolibriSyncOutput.Parse(line, false);
        Assert.Equal(state, parsed.State);
        Assert.Equal("INFO", parsed.Level);
    }

    [Fact]
    public void Transfer_lines_carry_record_counts_and_colour_codes_are_stripped()
    {
        var parsed = KolibriSyncOutput.Parse("\u001b[32mINFO     2025-02-03 10:15:42,118 Receiving data (120/400, 1.2 MB)\u001b[0m", false);
        Assert.Equal(SyncState.Pulling, parsed.State);
        Assert.Equal(120, parsed.RecordsDone);
        Assert.Equal(400, parsed.RecordsTotal);
        Assert.Equal("1.2 MB", parsed.Transferred);
        Assert.Equal("INFO     2025-02-03 10:15:42,118 Receiving data (120/400, 1.2 MB)", parsed.Text);

        var push = KolibriSyncOutput.Parse("INFO     2025-02-03 10:15:42,118 Sending data (0/0, 0 bytes)", false);
        Assert.Equal(SyncState.Pushing, push.State);
        Assert.Equal(0, push.RecordsTotal);
    }

    [Fact]
    public void Progress_bar_redraws_keep_the_last_text()
    {
        Assert.Equal("done 100%", KolibriSyncOutput.Parse("done 10%\rdone 50%\rdone 100%", true).Text);
    }

    [Fact]
    public void The_error_is_kolibris_CommandError_else_its_last_error_log_else_the_last_stderr_line()
    {
        var errors = new KolibriErrorCollector();
        errors.Add(KolibriSyncOutput.Parse("Traceback (most recent call last):", true));
        errors.Add(KolibriSyncOutput.Parse("requests.exceptions.ConnectionError: HTTPConnectionPool(host='10.0.0.5', port=8080)", true));
        Assert.Equal("requests.exceptions.ConnectionError: HTTPConnectionPool(host='10.0.0.5', port=8080)", errors.Message);
        errors.Add(KolibriSyncOutput.Parse("ERROR    2025-02-03 10:15:42,118 Sync failed", true));
        Assert.Equal("Sync failed", errors.Message);
        errors.Add(KolibriSyncOutput.Parse("CommandError: Device can not sync with itself. Please recheck base URL and try again.", true));
        errors.Add(KolibriSyncOutput.Parse("ERROR    2025-02-03 10:15:43,000 something later", true));
        Assert.Equal("Device can not sync with itself. Please recheck base URL and try again.", errors.Message);
    }

    [Fact]
    public void States_have_kolibris_names()
    {
        Assert.Equal(["PENDING", "SESSION_CREATION", "REMOTE_QUEUING", "PULLING", "LOCAL_DEQUEUING", "LOCAL_QUEUING", "PUSHING", "REMOTE_DEQUEUING", "COMPLETED", "CANCELLED", "FAILED"],
            Enum.GetValues<SyncState>().Select(s => s.KolibriName()));
    }
}
