using System.Data.Common;
using System.Globalization;
using KolibriFacility.Core.Storage.Postgres;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>A backup made before an import; <see cref="CreatedFolder"/> says whether making it created the folder.</summary>
/// <remarks><see cref="IsBackup"/> is false for a name reserved for a journal alone (<see cref="DatabaseBackup.ReserveJournalOnly"/>).</remarks>
internal sealed record BackupFile(string Path, string Folder, bool CreatedFolder, bool IsBackup = true);

/// <summary>
/// What a backup inside a write needs beyond the database: its transaction, how long pg_dump may wait for locks, where
/// the PostgreSQL tools are; <see cref="DumpRunning"/> is told the time elapsed while pg_dump runs.
/// </summary>
internal sealed record BackupSettings(DbTransaction? Transaction, TimeSpan LockTimeout, PostgresClientTools Tools, CancellationToken Cancellation, Action<TimeSpan>? DumpRunning = null);

/// <summary>
/// An online SQLite backup (the backup API, consistent while Kolibri runs) into a new file. It reads through a
/// second, read-only connection: SQLite refuses to back up from a connection inside a write transaction, and the
/// caller's BEGIN IMMEDIATE lock keeps every other writer out, so what is copied is exactly the state it just checked.
/// Backups hold the facility's private key and every password hash: the files and their folder are the owner's only.
/// A backup is written under a hidden ".partial" name and gets its final name only when complete, so a killed run
/// leaves no file that looks like a good backup; the next backup removes such leftovers.
/// </summary>
internal static class DatabaseBackup
{
    public const string FilePattern = "db-*" + SqliteExtension;
    public const string DumpFilePattern = "db-*" + PostgresDump.Extension;
    private const string SqliteExtension = ".sqlite3";
    private const string PartialPattern = ".db-*.partial*"; // with SQLite's -journal beside it

    /// <summary>The extensions of backup files: SQLite's copies and PostgreSQL's pg_dump archives.</summary>
    public static IReadOnlyList<string> Extensions { get; } = [SqliteExtension, PostgresDump.Extension];

    /// <summary>The backup files of a folder (both engines').</summary>
    public static IEnumerable<string> BackupFilesIn(string folder) =>
        Directory.EnumerateFiles(folder, FilePattern).Concat(Directory.EnumerateFiles(folder, DumpFilePattern));

    /// <summary>A backup's path without its extension: what its journal's name starts with.</summary>
    public static string StemOf(string backupPath) =>
        Extensions.FirstOrDefault(e => backupPath.EndsWith(e, StringComparison.Ordinal)) is { } extension ? backupPath[..^extension.Length] : backupPath;

    public static bool IsDump(string backupPath) => backupPath.EndsWith(PostgresDump.Extension, StringComparison.OrdinalIgnoreCase);
    private const int MaxLabelLength = 60;

    /// <summary>The UTC time in a backup's name: "db-{facility}-{time}[-n]".</summary>
    public const string NameTimeFormat = "yyyyMMdd'T'HHmmss'Z'";

    /// <summary>Refuses early (before any lock or hashing) a backup folder that cannot be used.</summary>
    public static void Check(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (File.Exists(full))
        {
            throw new BackupException(BackupProblem.FolderIsFile, full,
                $"The backup folder '{full}' is a file, so no backup can be made there. Nothing was changed.");
        }

        // The folder, or the nearest folder above it that exists (where it will be created).
        var existing = full;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent)
        {
            existing = parent;
        }

        if (IO.UnixFiles.CanWrite(existing, isFolder: true) == false)
        {
            throw NotWritable(full, null);
        }
    }

    /// <summary>
    /// A backup of an open database before it is written, taken after the caller's write lock: for SQLite the online
    /// copy of <see cref="Create(string, string, string, DateTimeOffset)"/>; for PostgreSQL a pg_dump archive
    /// (<see cref="CreateDump"/>), or null when no usable pg_dump is found, with the reason in <paramref name="whyNone"/>:
    /// the import's journal is then what is kept (docs/PostgreSQL.md, Backups and restore).
    /// </summary>
    public static BackupFile? Create(KolibriDatabase database, string folderPath, string label, DateTimeOffset now, BackupSettings settings, out string? whyNone)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(settings);
        whyNone = null;
        if (database.Postgres is not { } postgres)
        {
            return Create(database.Path, folderPath, label, now);
        }

        var major = PostgresDump.ServerMajor(database, settings.Transaction);
        var (pgDump, why) = settings.Tools.Find(PostgresDump.DumpProgram, major);
        if (pgDump is null)
        {
            whyNone = why;
            return null;
        }

        return CreateDump(pgDump, postgres, folderPath, label, now, settings.LockTimeout, settings.Cancellation, settings.DumpRunning);
    }

    /// <summary>
    /// Dumps a PostgreSQL database to "db-{facility}-{UTC time}.pgdump" in <paramref name="folderPath"/>: pg_dump's
    /// custom format, into an owner-only ".partial" file renamed when complete.
    /// </summary>
    public static BackupFile CreateDump(PostgresClientTool pgDump, PostgresSettings postgres, string folderPath, string label, DateTimeOffset now, TimeSpan lockTimeout, CancellationToken cancellation,
        Action<TimeSpan>? running = null)
    {
        var (folder, createdFolder) = PrepareFolder(folderPath);
        RemoveLeftovers(folder);
        var path = FreeName(folder, label, now, PostgresDump.Extension);
        var partial = PartialName(path);
        try
        {
            // pg_dump truncates the file it is given and keeps its mode: created here, it is the owner's only.
            IO.FilePermissions.CreateNew(partial, IO.FilePermissions.OwnerOnlyFile).Dispose();
            PostgresDump.Dump(pgDump, postgres, partial, lockTimeout, cancellation, running);
            File.Move(partial, path);
            return new BackupFile(path, folder, createdFolder);
        }
        catch (Exception ex)
        {
            throw Failed(ex, folder, createdFolder, partial);
        }
    }

    /// <summary>Copies the database to "db-{facility}-{UTC time}.sqlite3" in <paramref name="folderPath"/>.</summary>
    public static BackupFile Create(string databasePath, string folderPath, string label, DateTimeOffset now)
    {
        var (folder, createdFolder) = PrepareFolder(folderPath);

        RemoveLeftovers(folder);
        var path = FreeName(folder, label, now, SqliteExtension);
        var partial = PartialName(path);
        try
        {
            // An empty file is a valid empty database: creating it here gives it the owner-only mode (SQLite would use 0644).
            IO.FilePermissions.CreateNew(partial, IO.FilePermissions.OwnerOnlyFile).Dispose();
            using (var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
            using (var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = partial, Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
            {
                source.Open();
                target.Open();
                source.BackupDatabase(target);
                // One self-contained file: in WAL mode (Kolibri's) even a read-only look at the backup (integrity check,
                // listing, restore) would leave -wal and -shm files beside it. A restore into the live database keeps
                // that database's own journal mode (SQLite's backup API does).
                using var journalMode = target.CreateCommand();
                journalMode.CommandText = "PRAGMA journal_mode = DELETE";
                journalMode.ExecuteNonQuery();
            }

            File.Move(partial, path);
            return new BackupFile(path, folder, createdFolder);
        }
        catch (Exception ex)
        {
            throw Failed(ex, folder, createdFolder, partial, partial + "-journal");
        }
    }

    /// <summary>
    /// After a failed backup: removes what it left (the partial files, the folder if this backup made it) and says
    /// what went wrong in the backup folder's terms (disk full, not writable), else gives the failure back as it is.
    /// </summary>
    private static Exception Failed(Exception ex, string folder, bool createdFolder, params string[] leftovers)
    {
        foreach (var leftover in leftovers)
        {
            TryDelete(leftover);
        }

        if (createdFolder)
        {
            RemoveIfEmpty(folder);
        }

        var failure = DbFailures.Classify(ex as DbException);
        return ex switch
        {
            _ when failure == DbFailure.DiskFull => DiskFull(folder, ex),
            IOException { HResult: 28 /* ENOSPC */ } or IOException { HResult: 0x70 /* ERROR_DISK_FULL */ } => DiskFull(folder, ex),
            _ when failure is DbFailure.CannotOpen or DbFailure.ReadOnly => NotWritable(folder, ex),
            UnauthorizedAccessException => NotWritable(folder, ex),
            _ => ex,
        };
    }

    /// <summary>
    /// Where the journal of an import without a backup (-NoBackup) goes: the backup folder, under the name its backup
    /// would have had, so that listing, pruning and undoing treat both alike. Creates the folder (owner-only).
    /// </summary>
    public static BackupFile ReserveJournalOnly(string folderPath, string label, DateTimeOffset now)
    {
        var (folder, createdFolder) = PrepareFolder(folderPath);

        return new BackupFile(FreeName(folder, label, now, SqliteExtension), folder, createdFolder, IsBackup: false);
    }

    private static BackupException DiskFull(string folder, Exception cause) =>
        new(BackupProblem.DiskFull, folder, $"The disk holding the backup folder '{folder}' is full, so the backup could not be made. Nothing was changed.", cause);

    /// <summary>The backup folder as a full path, made owner-only (created if missing: the caller removes it again on failure).</summary>
    private static (string Folder, bool Created) PrepareFolder(string folderPath)
    {
        var folder = Path.GetFullPath(folderPath);
        Check(folder);
        var created = !Directory.Exists(folder);
        try
        {
            IO.FilePermissions.EnsureOwnerOnlyFolder(folder);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw NotWritable(folder, ex);
        }

        return (folder, created);
    }

    /// <summary>Removes a backup of an import that did not happen (it would only mislead), and the folder if this run made it.</summary>
    public static void Discard(BackupFile backup)
    {
        TryDelete(backup.Path);
        if (backup.CreatedFolder)
        {
            RemoveIfEmpty(backup.Folder);
        }
    }

    /// <summary>
    /// Keeps the <paramref name="keep"/> newest backups of the folder (never fewer than one, never the one just
    /// made) and deletes the older ones. Returns the deleted paths.
    /// </summary>
    /// <remarks>
    /// A backup and its import's journal go together and are deleted together. Imports without a backup (-NoBackup,
    /// small edits) leave only a journal, under the name its backup would have had: those are kept by the same
    /// count, but apart, so that many small edits never push the backups out.
    /// </remarks>
    public static IReadOnlyList<string> Prune(BackupFile newest, int keep)
    {
        var newestStem = StemOf(newest.Path);
        var old = BackupFilesIn(newest.Folder).Select(f => (Stem: StemOf(f), File: new FileInfo(f), IsBackup: true))
            .Concat(new DirectoryInfo(newest.Folder).EnumerateFiles(Import.ImportJournal.FilePattern).Select(f => (Stem: f.FullName[..^Import.ImportJournal.Extension.Length], File: f, IsBackup: false)))
            .GroupBy(f => f.Stem, StringComparer.Ordinal)
            .Where(g => !string.Equals(g.Key, newestStem, StringComparison.Ordinal))
            .GroupBy(g => g.Any(f => f.IsBackup))
            .SelectMany(kind => kind
                .OrderByDescending(g => g.Min(f => f.File.LastWriteTimeUtc))
                .ThenByDescending(g => g.Key, StringComparer.Ordinal)
                .Skip(Math.Max(1, keep) - (kind.Key == File.Exists(newest.Path) ? 1 : 0)))
            .SelectMany(g => g.Select(f => f.File.FullName))
            .ToList();
        old.ForEach(TryDelete);
        return old;
    }

    private static string PartialName(string path) => Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".partial");

    private static string FreeName(string folder, string label, DateTimeOffset now, string extension)
    {
        var safe = new string(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
        if (safe.Length > MaxLabelLength)
        {
            safe = safe[..(char.IsHighSurrogate(safe[MaxLabelLength - 1]) ? MaxLabelLength - 1 : MaxLabelLength)];
        }

        var stem = "db-" + (safe.Length == 0 ? "facility" : safe) + "-" + now.UtcDateTime.ToString(NameTimeFormat, CultureInfo.InvariantCulture);
        var path = Path.Combine(folder, stem + extension);
        for (var n = 2; Extensions.Any(e => File.Exists(StemOf(path) + e)) || File.Exists(Import.ImportJournal.PathFor(path)); n++)
        {
            path = Path.Combine(folder, stem + "-" + n.ToString(CultureInfo.InvariantCulture) + extension);
        }

        return path;
    }

    /// <summary>Partial backups of runs that were killed: the caller holds the write lock, so no other run is making one.</summary>
    private static void RemoveLeftovers(string folder)
    {
        foreach (var partial in Directory.EnumerateFiles(folder, PartialPattern))
        {
            TryDelete(partial);
        }
    }

    private static BackupException NotWritable(string folder, Exception? inner) =>
        new(BackupProblem.FolderNotWritable, folder,
            $"This user cannot write the backup folder '{folder}' (its permissions, a read-only disk, or an immutable folder). Nothing was changed.", inner);

    private static void RemoveIfEmpty(string folder)
    {
        try
        {
            if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
