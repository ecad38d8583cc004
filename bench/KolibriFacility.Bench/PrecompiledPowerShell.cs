using System.Diagnostics;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;

namespace KolibriFacility.Bench;

/// <summary>
/// For the cold-start bench only, never shipped: a copy of the pinned `dotnet pwsh` tool whose assemblies are compiled
/// ReadyToRun, as in the PowerShell an admin installs from its packages (the .NET tool package ships IL only, so
/// `pwsh -c exit` alone JIT-compiles about 5,000 methods). crossgen2 is the one the module's build restores
/// (Microsoft.NETCore.App.Crossgen2.&lt;rid&gt;, the SDK's bundled runtime version, ReadyToRun.targets); every IL
/// assembly of the tool is compiled against the shared framework the tool runs on. Made once (a few CPU minutes) into
/// bench/KolibriFacility.Bench/obj/precompiled-pwsh/ and reused while the tool and the framework stay the same.
/// </summary>
internal static class PrecompiledPowerShell
{
    /// <summary>The folder of the precompiled copy's pwsh.dll, made if missing.</summary>
    public static string Prepare(string repo)
    {
        var (toolFolder, frameworkFolder, pwshVersion) = DescribePinnedTool(repo);
        var runtimeVersion = new DirectoryInfo(frameworkFolder).Name;
        var target = Path.Combine(repo, "bench", "KolibriFacility.Bench", "obj", "precompiled-pwsh", $"{pwshVersion}-net{runtimeVersion}");
        var done = Path.Combine(target, ".complete");
        if (File.Exists(done))
        {
            return target;
        }

        var crossgen = FindCrossgen2(runtimeVersion);
        Console.WriteLine($"   precompiling the pinned pwsh {pwshVersion} (IL in {toolFolder}) with {crossgen} into {target} ...");
        if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        CopyFolder(toolFolder, target);
        var (os, arch) = TargetOsAndArch();
        int compiled = 0, kept = 0;
        foreach (var assembly in Directory.GetFiles(toolFolder, "*.dll"))
        {
            if (!IsIlOnly(assembly))
            {
                kept++;
                continue;
            }

            var output = Path.Combine(target, Path.GetFileName(assembly));
            var start = new ProcessStartInfo(crossgen) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[]
            {
                assembly, "-o", output, "--targetos", os, "--targetarch", arch, "-O",
                "-r", Path.Combine(frameworkFolder, "*.dll"), "-r", Path.Combine(toolFolder, "*.dll"),
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                // An assembly crossgen2 cannot compile stays IL, as a package build would leave it.
                File.Copy(assembly, output, overwrite: true);
                Console.WriteLine($"   kept as IL: {Path.GetFileName(assembly)} (crossgen2 exit {process.ExitCode}: {stderr.Result.Trim()} {stdout.Result.Trim()})");
                kept++;
                continue;
            }

            compiled++;
        }

        File.WriteAllText(done, $"{compiled} assemblies compiled, {kept} kept\n");
        Console.WriteLine($"   {compiled} assemblies compiled ReadyToRun, {kept} kept as they were");
        return target;
    }

    /// <summary>Where the pinned tool's pwsh.dll is, the framework folder it runs on, and its version, asked of the tool itself.</summary>
    private static (string ToolFolder, string FrameworkFolder, string Version) DescribePinnedTool(string repo)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[]
        {
            "pwsh", "-NoProfile", "-NonInteractive", "-c",
            "[System.IO.Path]::GetDirectoryName([System.Management.Automation.PSObject].Assembly.Location); " +
            "[System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory(); $PSVersionTable.PSVersion.ToString()",
        })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0 || output.Length < 3)
        {
            throw new InvalidOperationException($"dotnet pwsh could not describe itself ({process.ExitCode}): {errors}");
        }

        return (output[0], output[1].TrimEnd('/', '\\'), output[2]);
    }

    private static string FindCrossgen2(string runtimeVersion)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var (os, arch) = TargetOsAndArch();
        var rid = (os == "windows" ? "win" : os) + "-" + arch;
        var tool = Path.Combine(packages, $"microsoft.netcore.app.crossgen2.{rid}", runtimeVersion, "tools", OperatingSystem.IsWindows() ? "crossgen2.exe" : "crossgen2");
        return File.Exists(tool)
            ? tool
            : throw new InvalidOperationException(
                $"crossgen2 {runtimeVersion} not found at {tool}: build the module first (`dotnet build -c Release`), which restores it, " +
                "with an SDK whose bundled runtime is the one pwsh runs on.");
    }

    private static (string Os, string Arch) TargetOsAndArch() =>
        (OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "osx" : "linux",
         RuntimeInformation.OSArchitecture.ToString().ToLowerInvariant());

    /// <summary>A managed assembly without precompiled code (native libraries and ReadyToRun images are left alone).</summary>
    private static bool IsIlOnly(string path)
    {
        using var stream = File.OpenRead(path);
        using var reader = new PEReader(stream);
        try
        {
            var cor = reader.PEHeaders.CorHeader;
            return cor is not null && cor.ManagedNativeHeaderDirectory.Size == 0;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }

    private static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, directory)));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)), overwrite: true);
        }
    }
}
