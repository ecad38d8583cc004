using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>A backup made before an import; <see cref="CreatedFolder"/> says whether making it created the folder.</summary>
/// <remarks><see cref="IsBackup"/> is false for a name reserved for a journal alone (<see cref="DatabaseBackup.ReserveJournalOnly"/>).</remarks>
internal sealed record BackupFile(string Path, string Folder, bool CreatedFolder, bool IsBackup = true);

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
    public const string FilePattern = "db-*.sqlite3";
    private const string PartialPattern = ".db-*.sqlite3.partial*"; // with SQLite's -journal beside it
    private const int MaxLabelLength = 60;

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
    /// A backup of an open database before it is written: for SQLite the online copy of <see cref="Create(string, string, string, DateTimeOffset)"/>;
    /// null for PostgreSQL, whose backup is the import journal alone (docs/PostgreSQL.md, Backups).
    /// </summary>
    public static BackupFile? Create(KolibriDatabase database, string folderPath, string label, DateTimeOffset now) =>
        database.Engine == DatabaseEngine.Sqlite ? Create(database.Path, folderPath, label, now) : null;

    /// <summary>Copies the database to "db-{facility}-{UTC time}.sqlite3" in <paramref name="folderPath"/>.</summary>
    public static BackupFile Create(string databasePath, string folderPath, string label, DateTimeOffset now)
    {
        var (folder, createdFolder) = PrepareFolder(folderPath);

        RemoveLeftovers(folder);
        var path = FreeName(folder, label, now);
        var partial = Path.Combine(folder, "." + Path.GetFileName(path) + ".partial");
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
            TryDelete(partial);
            TryDelete(partial + "-journal");
            if (createdFolder)
            {
                RemoveIfEmpty(folder);
            }

            var failure = DbFailures.Classify(ex as DbException);
            throw ex switch
            {
                _ when failure == DbFailure.DiskFull => DiskFull(folder, ex),
                IOException { HResult: 28 /* ENOSPC */ } or IOException { HResult: 0x70 /* ERROR_DISK_FULL */ } => DiskFull(folder, ex),
                _ when failure is DbFailure.CannotOpen or DbFailure.ReadOnly => NotWritable(folder, ex),
                UnauthorizedAccessException => NotWritable(folder, ex),
                _ => ex,
            };
        }
    }

    /// <summary>
    /// Where the journal of an import without a backup (-NoBackup) goes: the backup folder, under the name its backup
    /// would have had, so that listing, pruning and undoing treat both alike. Creates the folder (owner-only).
    /// </summary>
    public static BackupFile ReserveJournalOnly(string folderPath, string label, DateTimeOffset now)
    {
        var (folder, createdFolder) = PrepareFolder(folderPath);

        return new BackupFile(FreeName(folder, label, now), folder, createdFolder, IsBackup: false);
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
        var folder = new DirectoryInfo(newest.Folder);
        var newestStem = newest.Path[..^".sqlite3".Length];
        var old = folder.EnumerateFiles(FilePattern).Select(f => (Stem: f.FullName[..^".sqlite3".Length], File: f))
            .Concat(folder.EnumerateFiles(Import.ImportJournal.FilePattern).Select(f => (Stem: f.FullName[..^Import.ImportJournal.Extension.Length], File: f)))
            .GroupBy(f => f.Stem, StringComparer.Ordinal)
            .Where(g => !string.Equals(g.Key, newestStem, StringComparison.Ordinal))
            .GroupBy(g => g.Any(f => f.File.Name.EndsWith(".sqlite3", StringComparison.Ordinal)))
            .SelectMany(kind => kind
                .OrderByDescending(g => g.Min(f => f.File.LastWriteTimeUtc))
                .ThenByDescending(g => g.Key, StringComparer.Ordinal)
                .Skip(Math.Max(1, keep) - (kind.Key == File.Exists(newest.Path) ? 1 : 0)))
            .SelectMany(g => g.Select(f => f.File.FullName))
            .ToList();
        old.ForEach(TryDelete);
        return old;
    }

    private static string FreeName(string folder, string label, DateTimeOffset now)
    {
        var safe = new string(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
        if (safe.Length > MaxLabelLength)
        {
            safe = safe[..(char.IsHighSurrogate(safe[MaxLabelLength - 1]) ? MaxLabelLength - 1 : MaxLabelLength)];
        }

        var stem = "db-" + (safe.Length == 0 ? "facility" : safe) + "-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(folder, stem + ".sqlite3");
        for (var n = 2; File.Exists(path) || File.Exists(Import.ImportJournal.PathFor(path)); n++)
        {
            path = Path.Combine(folder, stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".sqlite3");
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
