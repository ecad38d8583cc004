using KolibriFacility.Core.IO;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>
/// What can be known to fail before an import hashes passwords or takes a lock: a read-only database, a folder where
/// SQLite cannot create its journal, and a backup folder that cannot be used. Each is its own clear error naming the
/// file; nothing has been changed when one is thrown.
/// </summary>
internal static class ImportPreflight
{
    public static void Check(string databasePath, string? backupFolder, Storage.Postgres.PostgresSettings? connection = null)
    {
        if (connection is not null || KolibriDatabaseLocator.EngineOf(databasePath) == DatabaseEngine.PostgreSql)
        {
            // The server says whether this user may write (DatabaseProblem.ReadOnly at the first write).
            CheckBackupFolder(backupFolder);
            return;
        }

        var database = Path.GetFullPath(databasePath);
        if (Directory.Exists(database))
        {
            database = KolibriDatabaseLocator.SqliteFileIn(database);
        }

        if (!File.Exists(database))
        {
            return; // opening it says so, with the usual DatabaseNotFound
        }

        if (UnixFiles.CanWrite(database) == false || (OperatingSystem.IsWindows() && File.GetAttributes(database).HasFlag(FileAttributes.ReadOnly)))
        {
            throw new KolibriDatabaseException(DatabaseProblem.ReadOnly, database,
                $"The database '{database}' is read-only for this user (its permissions, a read-only disk, or an immutable file), so nothing was imported.");
        }

        var folder = Path.GetDirectoryName(database)!;
        if (UnixFiles.CanWrite(folder, isFolder: true) == false)
        {
            throw new KolibriDatabaseException(DatabaseProblem.FolderReadOnly, folder,
                $"The database's folder '{folder}' is read-only for this user, so SQLite cannot create the journal that makes the import atomic. Nothing was imported.");
        }

        CheckBackupFolder(backupFolder);
    }

    private static void CheckBackupFolder(string? backupFolder)
    {
        if (backupFolder is not null)
        {
            DatabaseBackup.Check(backupFolder);
        }
    }

    /// <summary>KOLIBRI_HOME/backups: the home of the database, or for an explicit PostgreSQL connection this session's KOLIBRI_HOME.</summary>
    public static string DefaultBackupFolder(string databasePath, Storage.Postgres.PostgresSettings? connection = null) =>
        Path.Combine(connection is not null ? KolibriDatabaseLocator.ResolveHome()
            : (Directory.Exists(databasePath) ? Path.GetFullPath(databasePath) : KolibriDatabaseLocator.HomeOf(databasePath)), "backups");
}
