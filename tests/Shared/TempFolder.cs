namespace KolibriFacility.Tests;

/// <summary>A temporary folder (a KOLIBRI_HOME for tests), removed on dispose.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "kf-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Copies the real Kolibri 0.17.5 fixture database here as db.sqlite3 and returns its path.</summary>
    public string CopyFixtureDatabase(string name = "db.sqlite3")
    {
        var target = File(name);
        System.IO.File.Copy(TestPaths.FixtureDatabase, target);
        return target;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
