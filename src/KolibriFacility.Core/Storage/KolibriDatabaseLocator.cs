namespace KolibriFacility.Core.Storage;

/// <summary>
/// Finds the Kolibri database the way Kolibri does: an explicit path, else KOLIBRI_HOME/db.sqlite3,
/// else ~/.kolibri/db.sqlite3.
/// </summary>
public static class KolibriDatabaseLocator
{
    public const string DatabaseFileName = "db.sqlite3";
    public const string HomeVariable = "KOLIBRI_HOME";

    public static string Resolve(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return System.IO.Path.GetFullPath(explicitPath);
        }

        return System.IO.Path.Combine(ResolveHome(), DatabaseFileName);
    }

    /// <summary>KOLIBRI_HOME when set (relative values are taken from the current directory), else ~/.kolibri.</summary>
    public static string ResolveHome()
    {
        var home = Environment.GetEnvironmentVariable(HomeVariable);
        if (!string.IsNullOrWhiteSpace(home))
        {
            return System.IO.Path.GetFullPath(ExpandTilde(home));
        }

        return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kolibri");
    }

    /// <summary>The KOLIBRI_HOME that holds a given database file (its folder).</summary>
    public static string HomeOf(string databasePath) =>
        System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(databasePath))!;

    private static string ExpandTilde(string path)
    {
        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            return path.Length == 1 ? profile : System.IO.Path.Combine(profile, path[2..]);
        }

        return path;
    }
}
