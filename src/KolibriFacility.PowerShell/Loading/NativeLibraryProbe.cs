using System.Runtime.InteropServices;

namespace KolibriFacility.PowerShell.Loading;

/// <summary>Where a native library ships in the module for the current OS and architecture, most specific first.</summary>
internal static class NativeLibraryProbe
{
    public static IEnumerable<string> Candidates(string dependencyFolder, string libraryName)
    {
        var fileName = OperatingSystem.IsWindows() ? libraryName + ".dll"
            : OperatingSystem.IsMacOS() ? "lib" + libraryName + ".dylib"
            : "lib" + libraryName + ".so";
        foreach (var rid in Rids())
        {
            yield return Path.Combine(dependencyFolder, "runtimes", rid, "native", fileName);
        }

        yield return Path.Combine(dependencyFolder, fileName);
    }

    /// <summary>The runtime identifiers (os-arch) this process can use, most specific first.</summary>
    public static string[] Rids()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.Arm64 => "arm64",
            Architecture.X86 => "x86",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };

        if (OperatingSystem.IsWindows())
        {
            return [$"win-{arch}"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return [$"osx-{arch}"];
        }

        return IsMusl() ? [$"linux-musl-{arch}", $"linux-{arch}"] : [$"linux-{arch}", $"linux-musl-{arch}"];
    }

    // Alpine and other musl systems report RIDs like alpine.3.19-x64; the loader itself is the reliable sign.
    private static bool IsMusl() =>
        RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.OrdinalIgnoreCase)
        || RuntimeInformation.RuntimeIdentifier.StartsWith("alpine", StringComparison.OrdinalIgnoreCase)
        || (Directory.Exists("/lib") && Directory.EnumerateFiles("/lib", "ld-musl-*").Any());
}
