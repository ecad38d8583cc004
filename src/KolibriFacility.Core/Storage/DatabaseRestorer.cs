using System.Diagnostics;
using KolibriFacility.Core.Backups;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>Why a restore did not happen (the database is as it was).</summary>
public enum RestoreProblem
{
    /// <summary>A Kolibri server runs on the database's KOLIBRI_HOME (its server.pid names a live process).</summary>
    KolibriRunning,

    /// <summary>The backup fails SQLite's integrity check, or is not a Kolibri database.</summary>
    BackupDamaged,

    /// <summary>The restored database fails the integrity check (the safety copy holds the state before).</summary>
    RestoredDamaged,

    /// <summary>The backup is of the other engine: an SQLite copy for a PostgreSQL database, or a pg_dump archive for an SQLite one.</summary>
    OtherEngine,

    /// <summary>PostgreSQL: no usable pg_restore, or no pg_dump for the safety copy (the message names the command an admin would run).</summary>
    ToolNotFound,

    /// <summary>PostgreSQL: pg_restore failed; it ran in one transaction, so the database is as it was.</summary>
    RestoreFailed,
}

public sealed class RestoreException(RestoreProblem problem, string path, string message, Exception? inner = null) : Exception(message, inner)
{
    public RestoreProblem Problem { get; } = problem;

    /// <summary>The file the problem is about: the database, the backup or the restored database.</summary>
    public string Path { get; } = path;
}

public sealed class RestoreOptions
{
    /// <summary>The db.sqlite3 or KOLIBRI_HOME; with <see cref="Connection"/>, only the description of that connection.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>An explicit PostgreSQL connection (-ConnectionString), used instead of the options.ini of <see cref="DatabasePath"/>.</summary>
    public Postgres.PostgresSettings? Connection { get; init; }

    /// <summary>Where pg_dump and pg_restore are looked for on PostgreSQL; default <see cref="Postgres.PostgresClientTools.Default"/>.</summary>
    public Postgres.PostgresClientTools? PostgresTools { get; init; }

    /// <summary>Restore although a Kolibri server runs on the database (it keeps its open connections: restart it).</summary>
    public bool Force { get; init; }

    /// <summary>Where the safety copy of the current state goes; default KOLIBRI_HOME/backups (for an explicit connection, the folder of the backup restored).</summary>
    public string? SafetyCopyFolder { get; init; }

    public TimeSpan BusyTimeout { get; init; } = KolibriDatabase.DefaultBusyTimeout;
}

/// <summary>What a restore did.</summary>
public sealed record RestoreResult(string DatabasePath, string RestoredFrom, string SafetyCopyPath, TimeSpan Duration);

/// <summary>
/// Replaces a Kolibri database with a backup, whole: checks the backup (SQLite's integrity_check and Kolibri's schema),
/// refuses while a Kolibri server runs on the database unless forced, takes a safety copy of the current state (an
/// online backup, like the import's), copies the backup over the database with SQLite's backup API (page by page
/// under SQLite's own locks, so no reader ever sees half a file and the -wal stays consistent) and checks the result.
/// </summary>
public static class DatabaseRestorer
{
    public const string SafetyCopyLabel = "before-restore";

    public static RestoreResult Restore(string backupPath, RestoreOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        backupPath = Path.GetFullPath(backupPath);
        using (var current = options.Connection is null ? KolibriDatabase.OpenRead(options.DatabasePath) : KolibriDatabase.OpenPostgres(options.Connection, readOnly: true))
        {
            if (current.Postgres is not null)
            {
                return PostgresRestorer.Restore(backupPath, current, options, clock, cancellation);
            }

            options = new RestoreOptions { DatabasePath = current.Path, Force = options.Force, SafetyCopyFolder = options.SafetyCopyFolder, BusyTimeout = options.BusyTimeout };
        }

        if (DatabaseBackup.IsDump(backupPath))
        {
            throw new RestoreException(RestoreProblem.OtherEngine, backupPath,
                $"'{backupPath}' is a PostgreSQL backup (a pg_dump archive), and '{options.DatabasePath}' is an SQLite database: it is restored from its own backups (.sqlite3). Nothing was changed.");
        }

        if (Path.GetFullPath(backupPath) == options.DatabasePath)
        {
            throw new ArgumentException($"'{backupPath}' is the database itself, not a backup of it.", nameof(backupPath));
        }

        Check(backupPath, RestoreProblem.BackupDamaged, "The backup");
        var home = KolibriDatabaseLocator.HomeOf(options.DatabasePath);
        if (!options.Force && KolibriServer.RunningPid(home) is { } pid)
        {
            throw new RestoreException(RestoreProblem.KolibriRunning, options.DatabasePath,
                $"A Kolibri server (pid {pid}, {Path.Combine(home, KolibriServer.PidFileName)}) is running on '{options.DatabasePath}': replacing the database under it would leave it working on data it no longer has. Nothing was changed.");
        }

        var folder = options.SafetyCopyFolder ?? BackupCatalog.DefaultFolder(options.DatabasePath);
        var label = SafetyCopyLabelOf(FacilitiesOf(options.DatabasePath).Names);
        var safety = DatabaseBackup.Create(options.DatabasePath, folder, label, DateTimeOffset.UtcNow);

        using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = backupPath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        using (var target = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString()))
        {
            source.Open();
            target.Open();
            using (var pragma = target.CreateCommand())
            {
                pragma.CommandText = "PRAGMA busy_timeout = " + ((long)options.BusyTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
                pragma.ExecuteNonQuery();
            }

            try
            {
                source.BackupDatabase(target);
            }
            catch (SqliteException ex) when (SqlParameters.IsBusy(ex))
            {
                throw new KolibriDatabaseException(DatabaseProblem.Busy, options.DatabasePath,
                    $"The database '{options.DatabasePath}' is busy: another program (probably Kolibri) kept it locked. Nothing was changed.", ex);
            }
        }

        Check(options.DatabasePath, RestoreProblem.RestoredDamaged, "The restored database");
        return new RestoreResult(options.DatabasePath, backupPath, safety.Path, clock.Elapsed);
    }

    /// <summary>SQLite's integrity_check and Kolibri's schema; throws <see cref="RestoreException"/> with <paramref name="problem"/>.</summary>
    public static void Check(string path, RestoreProblem problem, string what)
    {
        try
        {
            using var database = KolibriDatabase.OpenRead(path);
            using var command = database.Command("PRAGMA integrity_check");
            using var reader = command.ExecuteReader();
            var messages = new List<string>();
            while (reader.Read() && messages.Count < 5) messages.Add(reader.GetString(0));
            if (messages is not ["ok"])
            {
                throw new RestoreException(problem, path, $"{what} '{path}' fails SQLite's integrity check: {string.Join("; ", messages)}");
            }
        }
        catch (KolibriDatabaseException ex) when (ex.Problem != DatabaseProblem.Busy)
        {
            throw new RestoreException(problem, path, $"{what} '{path}' is not a usable Kolibri database: {ex.Message}", ex);
        }
        catch (SqliteException ex) when (DbFailures.Classify(ex) == DbFailure.Damaged)
        {
            throw new RestoreException(problem, path, $"{what} '{path}' is damaged: {ex.Message}", ex);
        }
    }

    /// <summary>The label of the safety copy taken before a restore: "{facilities}-before-restore".</summary>
    internal static string SafetyCopyLabelOf(string facilityNames) => string.Join("_", facilityNames.Split(", ")) + "-" + SafetyCopyLabel;

    /// <summary>The names of the facilities in a database (comma-separated) and the id when there is exactly one; empty when it cannot be read.</summary>
    public static (string Names, string? Id) FacilitiesOf(string path)
    {
        try
        {
            using var database = KolibriDatabase.OpenRead(path);
            return FacilitiesOf(database);
        }
        catch (KolibriDatabaseException)
        {
            return ("", null);
        }
        catch (SqliteException)
        {
            return ("", null);
        }
    }

    /// <summary>The names of the facilities in an open database (comma-separated) and the id when there is exactly one.</summary>
    internal static (string Names, string? Id) FacilitiesOf(KolibriDatabase database)
    {
        using var command = database.Command("SELECT id, name FROM kolibriauth_collection WHERE kind = 'facility' ORDER BY name");
        using var reader = command.ExecuteReader();
        var found = new List<(string Id, string Name)>();
        while (reader.Read()) found.Add((reader.GetString(0), reader.GetString(1)));
        return (string.Join(", ", found.Select(f => f.Name)), found.Count == 1 ? found[0].Id : null);
    }
}
