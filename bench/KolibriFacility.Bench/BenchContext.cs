using System.Diagnostics;

namespace KolibriFacility.Bench;

/// <summary>Shared services for scenarios: a scratch folder and a timing helper that reports medians.</summary>
public sealed class BenchContext(string workFolder, int repetitions)
{
    public string WorkFolder { get; } = workFolder;

    public int Repetitions { get; } = repetitions;

    public string NewFolder(string name)
    {
        var path = Path.Combine(WorkFolder, name + "-" + Guid.NewGuid().ToString("N")[..6]);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs <paramref name="action"/> once to warm up, then <see cref="Repetitions"/> times; returns the median.</summary>
    public Measurement Measure(Action action, int? repetitions = null)
    {
        action();
        var times = new List<TimeSpan>();
        long peakManaged = 0;
        for (var i = 0; i < (repetitions ?? Repetitions); i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var before = GC.GetTotalMemory(forceFullCollection: true);
            var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            var stopwatch = Stopwatch.StartNew();
            action();
            stopwatch.Stop();
            times.Add(stopwatch.Elapsed);
            peakManaged = Math.Max(peakManaged, GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore);
            _ = before;
        }

        times.Sort();
        return new Measurement(times[times.Count / 2], times[0], times[^1], peakManaged);
    }
}

/// <summary>Median, fastest and slowest run, and bytes allocated by the slowest-allocating run.</summary>
public readonly record struct Measurement(TimeSpan Median, TimeSpan Min, TimeSpan Max, long AllocatedBytes);
