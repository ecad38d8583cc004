using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace KolibriFacility.Bench;

/// <summary>
/// A cold start, as an admin meets it: `pwsh -c "Import-Module KolibriFacility; Get-FacilityUser -Database &lt;fixture&gt;"`
/// against `pwsh -c exit`, each a new process of the pinned `dotnet pwsh` (run `dotnet tool restore` once and
/// `dotnet build -c Release` first). Rounds are interleaved, so a loaded machine slows every command alike; medians of
/// wall time and, on Linux, of the CPU time the process used (steadier than wall time when the cores are shared).
/// KF_BENCH_BASELINE_MODULE=&lt;folder of another KolibriFacility.psd1&gt; adds that build side by side (e.g. a copy of
/// the module built from main).
/// </summary>
public sealed class ColdStartScenario : IBenchScenario
{
    public string Name => "cold-start";

    public void Run(BenchContext context, BenchReport report)
    {
        var repo = RepoRoot();
        var fixture = Path.GetFullPath(Path.Combine(repo, "..", "shared", "kolibri", "fixtures", "kolibri-0.17.5", "kolibri-small.sqlite3"));
        var database = Path.Combine(context.NewFolder("cold-start"), "db.sqlite3");
        File.Copy(fixture, database);

        var commands = new List<(string Label, string Script)> { ("pwsh -c exit", "exit") };
        if (Environment.GetEnvironmentVariable("KF_BENCH_BASELINE_MODULE") is { Length: > 0 } baseline)
        {
            commands.Add(("baseline module: Import-Module; Get-FacilityUser", ImportAndList(Path.Combine(baseline, "KolibriFacility.psd1"), database)));
        }

        commands.Add(("this build: Import-Module; Get-FacilityUser", ImportAndList(Path.Combine(repo, "out", "KolibriFacility", "KolibriFacility.psd1"), database)));

        foreach (var (_, script) in commands)
        {
            Run(repo, script); // warm the file cache and the tool shim
        }

        var samples = commands.ToDictionary(c => c.Label, _ => new List<(double Wall, double Cpu)>());
        for (var round = 0; round < Math.Max(5, context.Repetitions * 2); round++)
        {
            foreach (var (label, script) in commands)
            {
                samples[label].Add(Run(repo, script));
            }
        }

        var exit = Median(samples[commands[0].Label]);
        foreach (var (label, _) in commands)
        {
            var m = Median(samples[label]);
            report.Add(Name, label, string.Create(CultureInfo.InvariantCulture,
                $"wall {m.Wall:0.000} s (+{m.Wall - exit.Wall:0.000} s over exit), CPU {m.Cpu:0.000} s (+{m.Cpu - exit.Cpu:0.000} s)"));
        }

        report.Add(Name, "load average (1 min) at the end", File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a");
    }

    private static string ImportAndList(string manifest, string database) =>
        $"Import-Module '{manifest}'; Get-FacilityUser -Database '{database}'";

    /// <summary>Wall seconds and CPU seconds (user + system; 0 where the OS does not say) of one `dotnet pwsh` process.</summary>
    private static (double Wall, double Cpu) Run(string repo, string script)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-c", script })
        {
            start.ArgumentList.Add(arg);
        }

        var cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        clock.Stop();
        if (process.ExitCode != 0 || errors.Result.Length > 0)
        {
            throw new InvalidOperationException($"dotnet pwsh -c \"{script}\" failed ({process.ExitCode}): {errors.Result}{output.Result}");
        }

        return (clock.Elapsed.TotalSeconds, ChildrenCpuSeconds() - cpuBefore);
    }

    private static (double Wall, double Cpu) Median(List<(double Wall, double Cpu)> values) =>
        (values.Select(v => v.Wall).Order().ElementAt(values.Count / 2), values.Select(v => v.Cpu).Order().ElementAt(values.Count / 2));

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "KolibriFacility.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Could not find KolibriFacility.sln above " + AppContext.BaseDirectory);
    }

    private static double ChildrenCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        GetRusage(-1 /* RUSAGE_CHILDREN: every waited-for child so far */, out var usage);
        return usage.UserSeconds + (usage.UserMicroseconds / 1e6) + usage.SystemSeconds + (usage.SystemMicroseconds / 1e6);
    }

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out RUsage usage);

    /// <summary>The start of Linux's struct rusage on 64-bit: two struct timevals, then 14 longs nobody here reads.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        private unsafe fixed long rest[14];
    }
}
