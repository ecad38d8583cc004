using System.Reflection;

namespace KolibriFacility.PowerShell.Tests.Packaging;

/// <summary>
/// The built module's own NativeLibraryProbe (internal, reached by reflection), so the tests ask the module which
/// runtime folder it uses instead of repeating its OS, architecture and musl detection.
/// </summary>
internal static class BuiltModuleLoading
{
    private static readonly Lazy<Type> Probe = new(() =>
        Assembly.LoadFrom(Path.Combine(ModuleHostProcess.ModuleFolder, "KolibriFacility.PowerShell.dll"))
            .GetType("KolibriFacility.PowerShell.Loading.NativeLibraryProbe", throwOnError: true)!);

    /// <summary>The runtime identifier the module loads its native library and ReadyToRun images for.</summary>
    public static string Rid => ((string[])Method("Rids").Invoke(null, null)!)[0];

    public static string[] NativeCandidates(string dependencyFolder) =>
        ((IEnumerable<string>)Method("Candidates").Invoke(null, [dependencyFolder, "e_sqlite3"])!).ToArray();

    /// <summary>Copies a module folder, so a test can change its copy.</summary>
    public static void CopyFolder(string from, string to)
    {
        foreach (var directory in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(directory.Replace(from, to, StringComparison.Ordinal));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, file.Replace(from, to, StringComparison.Ordinal));
        }
    }

    private static MethodInfo Method(string name) =>
        Probe.Value.GetMethod(name, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!;
}
