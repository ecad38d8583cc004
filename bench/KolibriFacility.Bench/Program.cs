using System.Diagnostics;
using System.Reflection;
using KolibriFacility.Bench;

if (args.Length == 3 && args[0] == PlanningMemoryScenario.ChildArgument)
{
    return PlanningMemoryScenario.RunChild(args[1], args[2]);
}

// Runs every IBenchScenario whose name contains one of the arguments (all when none are given).
// Figures are medians of several runs measured in this one process, so ratios between them are meaningful.
var filters = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var repetitions = args.Contains("--quick") ? 3 : 5;
var scenarios = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchScenario).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IBenchScenario)Activator.CreateInstance(t)!)
    .Where(s => filters.Length == 0 || filters.Any(f => s.Name.Contains(f, StringComparison.OrdinalIgnoreCase)))
    .OrderBy(s => s.Name, StringComparer.Ordinal)
    .ToList();

var work = Path.Combine(Path.GetTempPath(), "kf-bench-" + Guid.NewGuid().ToString("N")[..8]);
Directory.CreateDirectory(work);
Console.WriteLine($"KolibriFacility bench: {Environment.ProcessorCount} cores, .NET {Environment.Version}, {repetitions} runs per figure, work folder {work}");
var report = new BenchReport();
try
{
    foreach (var scenario in scenarios)
    {
        Console.WriteLine($"== {scenario.Name}");
        var stopwatch = Stopwatch.StartNew();
        scenario.Run(new BenchContext(work, repetitions), report);
        Console.WriteLine($"   ({stopwatch.Elapsed.TotalSeconds:0.0} s)");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

Console.WriteLine($"peak working set of the bench process: {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:0.0} MiB");
return 0;
