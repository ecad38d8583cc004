using System.Diagnostics;
using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Write-Progress throttled to a few updates a second, with a stable activity id, a time estimate once a stage has
/// run long enough to make one, and a Completed record. A stage is a run of reports with the same total.
/// </summary>
internal sealed class ProgressReporter
{
    private static readonly long Interval = Stopwatch.Frequency / 5;
    private static readonly TimeSpan EstimateAfter = TimeSpan.FromSeconds(2);
    private readonly Cmdlet cmdlet;
    private readonly ProgressRecord record;
    private long lastUpdate;
    private bool shown;
    private long stageStart = Stopwatch.GetTimestamp();
    private long? stageTotal;
    private long stageLastDone;

    public ProgressReporter(Cmdlet cmdlet, int activityId, string activity, int parentActivityId = -1)
    {
        this.cmdlet = cmdlet;
        record = new ProgressRecord(activityId, activity, "Starting") { ParentActivityId = parentActivityId };
    }

    public void Report(long done, long? total, string status)
    {
        var now = Stopwatch.GetTimestamp();
        if (total != stageTotal || done < stageLastDone)
        {
            stageStart = now;
            stageTotal = total;
        }

        stageLastDone = done;
        if (shown && now - lastUpdate < Interval)
        {
            return;
        }

        lastUpdate = now;
        shown = true;
        record.RecordType = ProgressRecordType.Processing;
        record.StatusDescription = status;
        record.PercentComplete = total is > 0 ? (int)Math.Min(100, done * 100 / total.Value) : -1;
        record.SecondsRemaining = SecondsRemaining(Stopwatch.GetElapsedTime(stageStart, now), done, total);
        cmdlet.WriteProgress(record);
    }

    /// <summary>Seconds left at the stage's pace so far; -1 (none shown) until it has run long enough to say.</summary>
    private static int SecondsRemaining(TimeSpan elapsed, long done, long? total)
    {
        if (total is not > 0 || done <= 0 || done >= total || elapsed < EstimateAfter)
        {
            return -1;
        }

        return (int)Math.Ceiling(elapsed.TotalSeconds / done * (total.Value - done));
    }

    public void Complete()
    {
        if (!shown)
        {
            return;
        }

        record.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(record);
        shown = false; // completed once; a later report shows it again
    }
}
