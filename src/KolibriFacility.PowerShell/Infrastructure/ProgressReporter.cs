using System.Diagnostics;
using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Write-Progress throttled to a few updates a second, with a stable activity id and a Completed record.</summary>
internal sealed class ProgressReporter
{
    private static readonly long Interval = Stopwatch.Frequency / 5;
    private readonly Cmdlet cmdlet;
    private readonly ProgressRecord record;
    private long lastUpdate;
    private bool shown;

    public ProgressReporter(Cmdlet cmdlet, int activityId, string activity)
    {
        this.cmdlet = cmdlet;
        record = new ProgressRecord(activityId, activity, "Starting");
    }

    public void Report(long done, long? total, string status)
    {
        var now = Stopwatch.GetTimestamp();
        if (shown && now - lastUpdate < Interval)
        {
            return;
        }

        lastUpdate = now;
        shown = true;
        record.StatusDescription = status;
        record.PercentComplete = total is > 0 ? (int)Math.Min(100, done * 100 / total.Value) : -1;
        cmdlet.WriteProgress(record);
    }

    public void Complete()
    {
        if (!shown)
        {
            return;
        }

        record.RecordType = ProgressRecordType.Completed;
        cmdlet.WriteProgress(record);
    }
}
