using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// Which KOLIBRI_HOME to run Kolibri's sync with so that Kolibri syncs exactly the database the module opened. Kolibri
/// knows no database argument: it uses its home's settings (options.ini [Database], or the KOLIBRI_DATABASE_* variables,
/// which the sync process inherits), so the database must be the one those settings name: on SQLite the home's file
/// (<see cref="KolibriDatabaseLocator.SqliteFileIn"/>: db.sqlite3 unless DATABASE_NAME says otherwise), the PostgreSQL
/// database of a home whose settings say postgres. A database named only by a connection string
/// has no home, and Kolibri needs one (its settings, logs and content), so it cannot be synced.
/// </summary>
public static class KolibriSyncHome
{
    /// <summary>The home, or null with <paramref name="whyNot"/> saying why Kolibri cannot be pointed at this database.</summary>
    /// <param name="database">A database file, a KOLIBRI_HOME folder, or a postgres://... description (-ConnectionString).</param>
    public static string? Of(string database, out string? whyNot)
    {
        whyNot = null;
        if (Storage.Postgres.PostgresSettings.IsDescription(database))
        {
            whyNot = $"Kolibri syncs the database its KOLIBRI_HOME's options.ini names, and a database given by connection string ({database}) has no KOLIBRI_HOME. Run Invoke-PortalSync with -Database set to the KOLIBRI_HOME folder of the Kolibri that uses this database.";
            return null;
        }

        var full = Path.GetFullPath(database);
        if (Directory.Exists(full))
        {
            return full; // a KOLIBRI_HOME: the module opens the database its settings name, as Kolibri does
        }

        var home = KolibriDatabaseLocator.HomeOf(full);
        if (KolibriDatabaseOptions.EngineOf(home) == DatabaseEngine.PostgreSql)
        {
            whyNot = $"The Kolibri in '{home}' uses PostgreSQL (options.ini [Database] or KOLIBRI_DATABASE_ENGINE), so it would sync that database, not '{full}'. Run Invoke-PortalSync with -Database '{home}'.";
            return null;
        }

        var synced = KolibriDatabaseLocator.SqliteFileIn(home);
        if (!string.Equals(synced, full, StringComparison.Ordinal))
        {
            whyNot = $"Kolibri syncs the file its KOLIBRI_HOME names (KOLIBRI_HOME/db.sqlite3, or options.ini's DATABASE_NAME): '{synced}', but this database is '{full}', so Kolibri would sync a different file. Run Invoke-PortalSync on the database of the Kolibri home you want to sync (rename or copy it to db.sqlite3 in its own folder).";
            return null;
        }

        return home;
    }
}
