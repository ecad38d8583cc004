using System.Diagnostics;
using System.Reflection;
using System.Text;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Packaging;

/// <summary>What one run of the separate module host process printed.</summary>
public sealed record HostRun(int ExitCode, IReadOnlyList<string> Output, string Errors)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{string.Join("\n", Output)}\nstderr:\n{Errors}";
}

/// <summary>
/// Runs tests/KolibriFacility.ModuleHost (a bare PowerShell 7.6 host without Microsoft.Data.Sqlite of its own) in a
/// child process with a hard timeout, so the module is imported from the built module folder as pwsh would.
/// </summary>
public static class ModuleHostProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public static string HostAssembly { get; } = Metadata("ModuleHostAssembly");

    public static string OtherSqliteAssembly { get; } = Metadata("OtherSqliteAssembly");

    public static string ModuleFolder => Path.GetDirectoryName(TestPaths.ModuleManifest)!;

    public static HostRun Run(string script, string scratchFolder, params string[] preload)
    {
        var scriptFile = Path.Combine(scratchFolder, "host-" + Guid.NewGuid().ToString("N")[..8] + ".ps1");
        File.WriteAllText(scriptFile, "$ErrorActionPreference = 'Stop'\n" + script, new UTF8Encoding(false));
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = scratchFolder,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(HostAssembly);
        start.ArgumentList.Add(scriptFile);
        foreach (var assembly in preload)
        {
            start.ArgumentList.Add(assembly);
        }

        start.Environment.Remove("KOLIBRI_HOME");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"The module host did not finish within {Timeout}: {stderr.Result}");
        }

        var lines = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        return new HostRun(process.ExitCode, lines, stderr.Result);
    }

    public static string Quote(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string Metadata(string key) =>
        Path.GetFullPath(typeof(ModuleHostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!);
}
