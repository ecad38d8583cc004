using System.Data.Common;
using System.Globalization;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// A PostgreSQL backup (docs/PostgreSQL.md, Backups and restore): pg_dump's custom format (<c>-Fc</c>) of the whole
/// database, and its restore with pg_restore into the same database in one transaction.
/// </summary>
internal static class PostgresDump
{
    public const string Extension = ".pgdump";
    public const string DumpProgram = "pg_dump";
    public const string RestoreProgram = "pg_restore";

    /// <summary>The server's major version (SHOW server_version_num: 150018 is 15).</summary>
    public static int ServerMajor(KolibriDatabase database, DbTransaction? transaction = null)
    {
        using var command = database.Command("SHOW server_version_num", transaction);
        return int.Parse(Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture)!, CultureInfo.InvariantCulture) / 10000;
    }

    /// <summary>
    /// Dumps the database into <paramref name="file"/> (which exists, owner-only: pg_dump keeps its mode). pg_dump takes
    /// ACCESS SHARE locks, which the import's SHARE ROW EXCLUSIVE ones let through, and waits at most
    /// <paramref name="lockTimeout"/> for any other lock. Throws <see cref="BackupException"/> when it fails.
    /// <paramref name="running"/> is told the time elapsed while it runs.
    /// </summary>
    public static void Dump(PostgresClientTool pgDump, PostgresSettings settings, string file, TimeSpan lockTimeout, CancellationToken cancellation, Action<TimeSpan>? running = null)
    {
        var result = PostgresClientProcess.Run(pgDump,
            ["--format=custom", "--no-password", "--file=" + file, LockWait(lockTimeout), "--dbname=" + settings.DatabaseArgument()],
            settings, null, cancellation, running);
        if (result.ExitCode != 0)
        {
            throw new BackupException(BackupProblem.DumpFailed, Path.GetDirectoryName(file)!,
                $"pg_dump ({pgDump}) could not back up {settings.Describe()}: exit code {PostgresClientProcess.ExitCode(result)}, {PostgresClientProcess.Quote(result.Error)}. Nothing was changed.");
        }
    }

    /// <summary>Null when <paramref name="file"/> is a pg_dump archive pg_restore can read, else what pg_restore says.</summary>
    public static string? ArchiveProblem(PostgresClientTool pgRestore, PostgresSettings settings, string file)
    {
        var result = PostgresClientProcess.Run(pgRestore, ["--list", "--file=" + (OperatingSystem.IsWindows() ? "NUL" : "/dev/null"), file], settings, null, CancellationToken.None);
        return result.ExitCode == 0 ? null : PostgresClientProcess.Quote(result.Error);
    }

    /// <summary>
    /// Replaces the database's objects with the archive's, all or nothing: <c>pg_restore --clean --if-exists
    /// --single-transaction --exit-on-error --no-owner</c>, every lock waited for at most <paramref name="lockTimeout"/>.
    /// A non-zero exit code means the transaction was rolled back: the database is as it was.
    /// </summary>
    public static PostgresClientOutput Restore(PostgresClientTool pgRestore, PostgresSettings settings, string file, TimeSpan lockTimeout, CancellationToken cancellation) =>
        PostgresClientProcess.Run(pgRestore,
            ["--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner", "--no-password", "--dbname=" + settings.DatabaseArgument(), file],
            settings,
            new Dictionary<string, string?> { ["PGOPTIONS"] = "-c lock_timeout=" + Milliseconds(lockTimeout) },
            cancellation);

    /// <summary>The command an admin would run to restore <paramref name="file"/> (without the password).</summary>
    public static string RestoreCommandLine(PostgresSettings settings, string file) =>
        string.Create(CultureInfo.InvariantCulture,
            $"pg_restore --clean --if-exists --single-transaction --exit-on-error --no-owner -h {settings.HostOrSocket} -p {settings.Port ?? PostgresSettings.DefaultPort}{(settings.Username is null ? "" : " -U " + settings.Username)} -d {settings.Database} \"{file}\"");

    private static string LockWait(TimeSpan timeout) => "--lock-wait-timeout=" + Milliseconds(timeout);

    private static string Milliseconds(TimeSpan timeout) => Math.Max(1, (long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
}
