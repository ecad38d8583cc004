using System.Diagnostics;
using System.Management.Automation;
using KolibriFacility.Core.Portal;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Write-Progress for a Kolibri sync: one record per stage change (never dropped), record counts within a stage
/// throttled to a few updates a second. CurrentOperation carries Kolibri's sync_state name (PULLING, ...).
/// </summary>
internal sealed class SyncProgressWriter
{
    private static readonly long Interval = Stopwatch.Frequency / 5;
    private readonly Cmdlet cmdlet;
    private readonly ProgressRecord record;
    private SyncState? shown;
    private long lastUpdate;

    public SyncProgressWriter(Cmdlet cmdlet, int activityId, string activity)
    {
        this.cmdlet = cmdlet;
        record = new ProgressRecord(activityId, activity, SyncState.Pending.Describe());
    }

    public void Start() => Show(SyncState.Pending, null);

    public void Report(KolibriOutputLine line)
    {
        if (line.State is not { } state || state is SyncState.Completed or SyncState.Cancelled)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (state == shown && now - lastUpdate < Interval)
        {
            return;
        }

        Show(state, line);
    }

    public void Complete()
    {
        if (shown is null)
        {
            return;
        }

        record.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(record);
    }

    private void Show(SyncState state, KolibriOutputLine? line)
    {
        lastUpdate = Stopwatch.GetTimestamp();
        shown = state;
        record.CurrentOperation = state.KolibriName();
        if (line?.RecordsDone is long done && line.RecordsTotal is long total)
        {
            record.StatusDescription = $"{state.Describe()}: {done} of {total} records ({line.Transferred})";
            record.PercentComplete = total > 0 ? (int)Math.Min(100, done * 100 / total) : 100;
        }
        else
        {
            record.StatusDescription = state.Describe();
            record.PercentComplete = -1;
        }

        cmdlet.WriteProgress(record);
    }
}
