
namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Runs long Core work on a worker thread while the pipeline thread shows its progress: Write-Progress may only be
/// called from the pipeline thread, and Core reports progress from its worker threads. Only the latest report is
/// kept; the pipeline thread polls it a few times a second, so a flood of reports costs nothing.
/// </summary>
internal sealed class BackgroundWork<TProgress>
    where TProgress : class
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    private TProgress? latest;

    /// <summary>Pass this to Core: it records the latest report from any thread.</summary>
    public IProgress<TProgress> Progress => new LatestOnly(this);

    /// <summary>
    /// Runs <paramref name="work"/> on a worker thread and calls <paramref name="show"/> on this (pipeline) thread
    /// for each new report until the work ends, and once more for the last report if it was not shown yet; rethrows
    /// the work's exception unwrapped.
    /// </summary>
    public T Run<T>(Func<T> work, Action<TProgress> show)
    {
        var task = Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        TProgress? shown = null;
        // Not task.Wait(timeout): it throws an AggregateException when the work fails; the failure is rethrown below.
        while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(PollInterval))
        {
            var current = Volatile.Read(ref latest);
            if (current is not null && !ReferenceEquals(current, shown))
            {
                shown = current;
                show(current);
            }
        }

        // Work shorter than one poll still shows where it got to, so a quick import is not a silent one.
        var last = Volatile.Read(ref latest);
        if (last is not null && !ReferenceEquals(last, shown))
        {
            show(last);
        }

        return task.GetAwaiter().GetResult(); // rethrows the work's own exception, not an AggregateException
    }

    private sealed class LatestOnly(BackgroundWork<TProgress> owner) : IProgress<TProgress>
    {
        public void Report(TProgress value) => Volatile.Write(ref owner.latest, value);
    }
}
