namespace KolibriFacility.Tests;

/// <summary>Finds the repository and the shared Kolibri fixtures (../shared beside the clone).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string FixtureFolder { get; } = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "kolibri", "fixtures", "kolibri-0.17.5"));

    public static string Fixture(string fileName) => Path.Combine(FixtureFolder, fileName);

    public static string FixtureDatabase => Fixture("kolibri-small.sqlite3");

    public static string ModuleManifest => Path.Combine(RepoRoot, "out", "KolibriFacility", "KolibriFacility.psd1");

    private static string FindRepoRoot()
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
}
