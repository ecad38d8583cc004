using System.Globalization;
using System.Management.Automation;
using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// The progress of an import, edit or undo: its counted stages (hashing, writing, undoing) in one activity, and the
/// pg_dump backup, which has no count, as a child activity showing its elapsed time, completed when the next stage starts.
/// </summary>
internal sealed class ApplyProgress(Cmdlet cmdlet, int activityId, string activity)
{
    private const int BackupActivityOffset = 0x10;
    private readonly ProgressReporter stages = new(cmdlet, activityId, activity);
    private readonly ProgressReporter backup = new(cmdlet, activityId + BackupActivityOffset, ImportApplier.BackupStage, activityId);

    public void Show(ImportProgress progress)
    {
        if (progress.Elapsed is { } elapsed)
        {
            backup.Report(0, null, string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds:0} s elapsed"));
            return;
        }

        backup.Complete();
        stages.Report(progress.Done, progress.Total, $"{progress.Stage}: {progress.Done} of {progress.Total}");
    }

    public void Complete()
    {
        backup.Complete();
        stages.Complete();
    }
}
