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
/// the module built from main). KF_BENCH_PRECOMPILED_PWSH=1 adds a second PowerShell, the same pinned tool with its
/// assemblies compiled ReadyToRun (<see cref="PrecompiledPowerShell"/>), as an admin's installed PowerShell has them:
/// every command then runs under both, in the same rounds, each module figure against its own host's `pwsh -c exit`.
/// PowerShell's own floor runs beside them: importing a module that has nothing in it, then one object as a table, the
/// least any module's first command costs on that host. Each command has its own PowerShell startup profile, left by
/// its previous run; KF_BENCH_COLD_FRESH_PROFILE=1 deletes it before every run (a first run after an upgrade, or after
/// another user's session). After the timed rounds, one more run of each command reports how many methods were
/// JIT-compiled by its end.
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

        // The pinned tool as admins of the .NET tool start it (`dotnet pwsh`, through the tool's shim), and optionally
        // the same PowerShell precompiled, started as `dotnet <folder>/pwsh.dll`.
        var hosts = new List<(string Label, string[] Start)> { ("pinned tool pwsh (IL, dotnet pwsh)", ["pwsh"]) };
        if (Environment.GetEnvironmentVariable("KF_BENCH_PRECOMPILED_PWSH") is "1" or "true")
        {
            hosts.Add(("precompiled pwsh (ReadyToRun)", [Path.Combine(PrecompiledPowerShell.Prepare(repo), "pwsh.dll")]));
        }

        var modules = new List<(string Label, string Script)> { (FloorLabel, Floor(context)) };
        if (Environment.GetEnvironmentVariable("KF_BENCH_BASELINE_MODULE") is { Length: > 0 } baseline)
        {
            modules.Add(("baseline module: Import-Module; Get-FacilityUser", ImportAndList(Path.Combine(baseline, "KolibriFacility.psd1"), database)));
        }

        modules.Add(("this build: Import-Module; Get-FacilityUser", ImportAndList(Path.Combine(repo, "out", "KolibriFacility", "KolibriFacility.psd1"), database)));

        // Each command gets its own PowerShell cache folder: pwsh writes its multicore-JIT profile there at exit and the
        // next pwsh JIT-compiles what it lists in the background, so a shared one would hand each command the previous
        // command's profile (docs/ColdStart.md). The warm-up run below fills each command's own.
        var commands = hosts
            .SelectMany(h => modules.Prepend((Label: ExitLabel, Script: "exit")).Select(m => (Host: h, Label: m.Label, m.Script)))
            .Select((c, i) => new ColdCommand(c.Host.Start, c.Host.Label, c.Label, c.Script,
                context.NewFolder("cold-start-cache-" + i.ToString(CultureInfo.InvariantCulture))))
            .ToList();
        foreach (var command in commands)
        {
            Run(repo, command, command.Script); // warm the file cache, the tool shim and the command's JIT profile
        }

        var samples = commands.ToDictionary(c => (c.HostLabel, c.Label), _ => new List<(double Wall, double Cpu)>());
        for (var round = 0; round < Math.Max(5, context.Repetitions * 2); round++)
        {
            foreach (var command in commands)
            {
                samples[(command.HostLabel, command.Label)].Add(Run(repo, command, command.Script));
            }
        }

        foreach (var host in hosts)
        {
            var exit = Median(samples[(host.Label, ExitLabel)]);
            var floor = Median(samples[(host.Label, FloorLabel)]);
            foreach (var command in commands.Where(c => c.HostLabel == host.Label))
            {
                var m = Median(samples[(host.Label, command.Label)]);
                var label = hosts.Count > 1 ? $"{host.Label}: {command.Label}" : command.Label;
                var overFloor = command.Label is not (FloorLabel or ExitLabel)
                    ? string.Create(CultureInfo.InvariantCulture, $"; +{m.Wall - floor.Wall:0.000} s wall over the floor")
                    : "";
                report.Add(Name, label, string.Create(CultureInfo.InvariantCulture,
                    $"wall {m.Wall:0.000} s (+{m.Wall - exit.Wall:0.000} s over exit), CPU {m.Cpu:0.000} s (+{m.Cpu - exit.Cpu:0.000} s){overFloor}"));
            }
        }

        report.Add(Name, "PowerShell startup profile", FreshProfile ? "none: deleted before every run (KF_BENCH_COLD_FRESH_PROFILE=1)" : "each command's own, left by its previous run");
        report.Add(Name, "load average (1 min) at the end of the timed rounds", BenchData.LoadAverage());

        foreach (var command in commands)
        {
            var label = hosts.Count > 1 ? $"{command.HostLabel}: {command.Label}" : command.Label;
            report.Add(Name, "methods JIT-compiled, " + label, JitCompiledMethods(repo, command));
        }
    }

    /// <summary>
    /// Methods JIT-compiled on every thread by the end of the command (System.Runtime.JitInfo), one untimed run; a few
    /// dozen vary from run to run with PowerShell's background start-up work.
    /// </summary>
    private static string JitCompiledMethods(string repo, ColdCommand command)
    {
        const string count = "[System.Runtime.JitInfo]::GetCompiledMethodCount($false)";
        var output = Output(repo, command, command.Script == "exit" ? count : command.Script + "; " + count);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)[^1];
    }

    private const string ExitLabel = "pwsh -c exit";
    private const string FloorLabel = "PowerShell's floor: Import-Module <empty manifest>; one object as a table";

    private static bool FreshProfile => Environment.GetEnvironmentVariable("KF_BENCH_COLD_FRESH_PROFILE") is "1" or "true";

    private static string ImportAndList(string manifest, string database) =>
        $"Import-Module '{manifest}'; Get-FacilityUser -Database '{database}'";

    /// <summary>What any module's first command pays at least: a module import (of a manifest that loads nothing) and a first table.</summary>
    private static string Floor(BenchContext context)
    {
        var manifest = Path.Combine(context.NewFolder("cold-start-empty-module"), "Empty.psd1");
        File.WriteAllText(manifest, "@{ ModuleVersion = '1.0.0' }\n");
        return $"Import-Module '{manifest}'; [pscustomobject]@{{ Username = 'admin'; FullName = 'Admin' }}";
    }

    /// <summary>Wall seconds and CPU seconds (user + system; 0 where the OS does not say) of one `dotnet pwsh` process.</summary>
    private static (double Wall, double Cpu) Run(string repo, ColdCommand command, string script)
    {
        var cpuBefore = ChildrenCpuSeconds();
        var clock = Stopwatch.StartNew();
        Output(repo, command, script);
        clock.Stop();
        return (clock.Elapsed.TotalSeconds, ChildrenCpuSeconds() - cpuBefore);
    }

    /// <summary>
    /// Runs `dotnet &lt;host&gt; -NoProfile -NonInteractive -c script` with the command's own PowerShell cache folder
    /// (XDG_CACHE_HOME, which PowerShell on Linux and macOS uses); its output, or an exception when it failed.
    /// </summary>
    private static string Output(string repo, ColdCommand command, string script)
    {
        var host = command.Host;
        if (FreshProfile && Directory.Exists(command.Cache))
        {
            Directory.Delete(command.Cache, recursive: true);
        }

        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["XDG_CACHE_HOME"] = command.Cache;
        foreach (var arg in host.Concat(["-NoProfile", "-NonInteractive", "-c", script]))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0 || errors.Result.Length > 0)
        {
            throw new InvalidOperationException($"dotnet {string.Join(' ', host)} -c \"{script}\" failed ({process.ExitCode}): {errors.Result}{output.Result}");
        }

        return output.Result;
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

    /// <summary>One timed command: how its host is started, labels for the report, the script, its PowerShell cache folder.</summary>
    private sealed record ColdCommand(string[] Host, string HostLabel, string Label, string Script, string Cache);
}
