namespace KolibriFacility.Core.Storage;

/// <summary>
/// Finds the Kolibri database the way Kolibri does: an explicit path, else KOLIBRI_HOME/db.sqlite3,
/// else ~/.kolibri/db.sqlite3 (another file name when options.ini's DATABASE_NAME says so); a KOLIBRI_HOME whose [Database] settings say postgres stands for its PostgreSQL
/// database (<see cref="KolibriDatabaseOptions"/>).
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

        var home = ResolveHome();
        return KolibriDatabaseOptions.EngineOf(home) == DatabaseEngine.PostgreSql ? home : SqliteFileIn(home);
    }

    /// <summary>
    /// The SQLite file of a KOLIBRI_HOME as Kolibri names it: <c>os.path.join(KOLIBRI_HOME, DATABASE_NAME or "db.sqlite3")</c>
    /// (an absolute DATABASE_NAME stands for itself).
    /// </summary>
    public static string SqliteFileIn(string home) =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(home, KolibriDatabaseOptions.SqliteNameOf(home) ?? DatabaseFileName));

    /// <summary>
    /// The PostgreSQL settings when <paramref name="path"/> is a KOLIBRI_HOME folder whose Kolibri runs on PostgreSQL;
    /// null for a file (always SQLite) or a home that uses SQLite.
    /// </summary>
    public static Postgres.PostgresSettings? PostgresSettingsOf(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return Directory.Exists(full) ? KolibriDatabaseOptions.PostgresSettingsOf(full) : null;
    }

    /// <summary>The engine of a resolved database path (see <see cref="PostgresSettingsOf"/>).</summary>
    public static DatabaseEngine EngineOf(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return Directory.Exists(full) ? KolibriDatabaseOptions.EngineOf(full) : DatabaseEngine.Sqlite;
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
