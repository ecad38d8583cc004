using System.Reflection;
using System.Text.Json;

namespace KolibriFacility.Tests;

/// <summary>
/// The stand-in for Kolibri's `kolibri` command (tests/KolibriFacility.KolibriStandIn): where it is, how to choose
/// its scenario for a KOLIBRI_HOME, and what it recorded there.
/// </summary>
public static class KolibriStandIn
{
    public const string ScenarioFile = "kolibri-standin-scenario.txt";
    public const string RecordFile = "kolibri-standin-record.jsonl";

    public static string AssemblyPath { get; } = Path.GetFullPath(typeof(KolibriStandIn).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "KolibriStandInAssembly").Value!);

    /// <summary>The native app host next to the dll (what an admin's `kolibri` path looks like).</summary>
    public static string Executable => OperatingSystem.IsWindows() ? Path.ChangeExtension(AssemblyPath, ".exe") : Path.ChangeExtension(AssemblyPath, null);

    /// <summary>A command line form: dotnet "path.dll".</summary>
    public static string DotnetCommandLine => $"dotnet \"{AssemblyPath}\"";

    /// <summary>Chooses the scenario (success, progress, failure, hang) for runs whose KOLIBRI_HOME is <paramref name="home"/>.</summary>
    public static void SetScenario(string home, string scenario, bool contactServer = false) =>
        File.WriteAllLines(Path.Combine(home, ScenarioFile), contactServer ? [scenario, "contact"] : [scenario]);

    /// <summary>Every event the stand-in recorded in that home.</summary>
    public static List<JsonElement> Records(string home)
    {
        var path = Path.Combine(home, RecordFile);
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public static List<JsonElement> Starts(string home) => Records(home).Where(r => r.GetProperty("event").GetString() == "start").ToList();

    public static string[] Arguments(JsonElement start) => start.GetProperty("args").EnumerateArray().Select(a => a.GetString()!).ToArray();
}
