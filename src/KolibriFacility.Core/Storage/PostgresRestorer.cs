using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Backups;
using KolibriFacility.Core.Storage.Postgres;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// Restores a PostgreSQL-backed Kolibri from a pg_dump archive (docs/PostgreSQL.md, Backups and restore): refuses while
/// a Kolibri server runs on its KOLIBRI_HOME or other programs are connected to the database (unless forced), checks
/// the archive with <c>pg_restore --list</c>, takes a safety dump of the current state, restores with
/// <c>pg_restore --clean --if-exists --single-transaction</c> (all or nothing) and checks the result is Kolibri's
/// database. Without pg_restore, or without a pg_dump for the safety dump, it refuses and names the command to run.
/// </summary>
internal static class PostgresRestorer
{
    public static RestoreResult Restore(string backupPath, KolibriDatabase current, RestoreOptions options, Stopwatch clock, CancellationToken cancellation)
    {
        var settings = current.Postgres!;
        var where = current.Path;
        if (!DatabaseBackup.IsDump(backupPath))
        {
            throw new RestoreException(RestoreProblem.OtherEngine, backupPath,
                $"'{backupPath}' is not a PostgreSQL backup (a pg_dump archive, .pgdump), and '{where}' is a PostgreSQL database: it is restored from its own pg_dump archives. Nothing was changed.");
        }

        if (!options.Force)
        {
            RefuseWhileInUse(current, options);
        }

        var major = PostgresDump.ServerMajor(current);
        var tools = options.PostgresTools ?? PostgresClientTools.Default;
        var (pgRestore, whyNoRestore) = tools.Find(PostgresDump.RestoreProgram, major);
        if (pgRestore is null)
        {
            throw new RestoreException(RestoreProblem.ToolNotFound, backupPath,
                $"The backup '{backupPath}' is a pg_dump archive, which only PostgreSQL's pg_restore can restore, and {whyNoRestore}. Nothing was changed. " +
                $"An administrator restores it (after a pg_dump of the current state) with: {PostgresDump.RestoreCommandLine(settings, backupPath)}");
        }

        var (pgDump, whyNoDump) = tools.Find(PostgresDump.DumpProgram, major);
        if (pgDump is null)
        {
            throw new RestoreException(RestoreProblem.ToolNotFound, where,
                $"Restoring '{backupPath}' needs a safety dump of the current state first, and {whyNoDump}. Nothing was changed. " +
                $"An administrator dumps the database with pg_dump -Fc, then restores with: {PostgresDump.RestoreCommandLine(settings, backupPath)}");
        }

        if (PostgresDump.ArchiveProblem(pgRestore, settings, backupPath) is { } problem)
        {
            throw new RestoreException(RestoreProblem.BackupDamaged, backupPath, $"The backup '{backupPath}' is not a pg_dump archive pg_restore can read: {problem}. Nothing was changed.");
        }

        var folder = options.SafetyCopyFolder ?? (options.Connection is null ? BackupCatalog.DefaultFolder(where) : Path.GetDirectoryName(backupPath)!);
        var label = DatabaseRestorer.SafetyCopyLabelOf(DatabaseRestorer.FacilitiesOf(current).Names);
        current.Dispose(); // nothing of ours stays connected while pg_restore drops and re-creates the tables
        var safety = DatabaseBackup.CreateDump(pgDump, settings, folder, label, DateTimeOffset.UtcNow, options.BusyTimeout, cancellation);

        var result = PostgresDump.Restore(pgRestore, settings, backupPath, options.BusyTimeout, cancellation);
        if (result.ExitCode != 0)
        {
            throw new RestoreException(RestoreProblem.RestoreFailed, where,
                $"pg_restore ({pgRestore}) could not restore '{backupPath}' into {settings.Describe()}: exit code {PostgresClientProcess.ExitCode(result)}, {PostgresClientProcess.Quote(result.Error)}. " +
                $"It ran in one transaction, so the database is as it was (its state is also in '{safety.Path}').");
        }

        try
        {
            using var restored = KolibriDatabase.OpenPostgres(settings, readOnly: true, options.Connection is null ? where : null);
            DatabaseRestorer.FacilitiesOf(restored);
        }
        catch (KolibriDatabaseException ex) when (ex.Problem is DatabaseProblem.NotADatabase or DatabaseProblem.UnsupportedSchema)
        {
            throw new RestoreException(RestoreProblem.RestoredDamaged, where,
                $"The restored database {settings.Describe()} is not a usable Kolibri database: {ex.Message} The state before the restore is in '{safety.Path}'.", ex);
        }

        return new RestoreResult(where, backupPath, safety.Path, clock.Elapsed);
    }

    /// <summary>
    /// A Kolibri server on the database's KOLIBRI_HOME (its server.pid), or any other client connected to the database
    /// (Kolibri on another machine, a sync, psql): restoring under them would leave them working on data that is gone.
    /// </summary>
    private static void RefuseWhileInUse(KolibriDatabase current, RestoreOptions options)
    {
        if (options.Connection is null && KolibriServer.RunningPid(current.Home) is { } pid)
        {
            throw new RestoreException(RestoreProblem.KolibriRunning, current.Path,
                $"A Kolibri server (pid {pid}, {Path.Combine(current.Home, KolibriServer.PidFileName)}) is running on {current.Postgres!.Describe()}: replacing the database under it would leave it working on data it no longer has. Nothing was changed.");
        }

        using var command = current.Command(
            "SELECT coalesce(nullif(application_name, ''), 'unnamed') || coalesce(' from ' || host(client_addr), '') FROM pg_stat_activity " +
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY 1");
        using var reader = command.ExecuteReader();
        var others = new List<string>();
        while (reader.Read()) others.Add(reader.GetString(0));
        if (others.Count > 0)
        {
            throw new RestoreException(RestoreProblem.KolibriRunning, current.Path, string.Create(CultureInfo.InvariantCulture,
                $"{others.Count} other connection(s) are open to {current.Postgres!.Describe()} ({string.Join(", ", others.Distinct())}): probably a Kolibri server, which would go on working on data it no longer has. Nothing was changed."));
        }
    }
}
