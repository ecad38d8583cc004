using System.Globalization;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Backups;

/// <summary>
/// Lists a backup folder (KOLIBRI_HOME/backups by default): each backup with its import's journal (same base name),
/// journals without a backup, and what they belong to, newest first. A backup without a journal is opened read-only
/// to name its facilities.
/// </summary>
public static class BackupCatalog
{
    private const string BackupExtension = ".sqlite3";

    public static string DefaultFolder(string databasePath) => ImportPreflight.DefaultBackupFolder(databasePath);

    public static IReadOnlyList<FacilityBackup> List(string folder, string databasePath)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var backups = Directory.EnumerateFiles(folder, DatabaseBackup.FilePattern).ToDictionary(f => f[..^BackupExtension.Length], StringComparer.Ordinal);
        var journals = Directory.EnumerateFiles(folder, ImportJournal.FilePattern).ToDictionary(f => f[..^ImportJournal.Extension.Length], StringComparer.Ordinal);
        return backups.Keys.Union(journals.Keys, StringComparer.Ordinal)
            .Select(stem => Entry(backups.GetValueOrDefault(stem), journals.GetValueOrDefault(stem), databasePath))
            .OrderByDescending(b => b.Time)
            .ThenByDescending(b => b.Path ?? b.JournalPath, StringComparer.Ordinal)
            .ToList();
    }

    private static FacilityBackup Entry(string? backup, string? journalPath, string databasePath)
    {
        var journal = journalPath is null ? null : ImportJournal.TryRead(journalPath);
        var size = backup is null ? 0 : new FileInfo(backup).Length;
        var file = Path.GetFileNameWithoutExtension(backup ?? journalPath![..^ImportJournal.Extension.Length]);
        if (journal is not null)
        {
            return new FacilityBackup
            {
                Path = backup,
                JournalPath = journalPath,
                Kind = backup is null ? BackupKind.JournalOnly : BackupKind.Import,
                Database = journal.DatabasePath,
                Facility = journal.FacilityName,
                FacilityId = journal.FacilityId,
                Time = journal.ImportedAt,
                Size = size,
                CsvPath = journal.CsvPath,
                Changes = journal.Changes.Count,
                UndoneAt = journal.UndoneAt,
            };
        }

        var (facility, facilityId) = backup is null ? ("", null) : DatabaseRestorer.FacilitiesOf(backup);
        return new FacilityBackup
        {
            Path = backup,
            JournalPath = journalPath,
            Kind = file.EndsWith("-undo", StringComparison.Ordinal) || file.Contains("-undo-", StringComparison.Ordinal) ? BackupKind.Undo
                : file.Contains(DatabaseRestorer.SafetyCopyLabel, StringComparison.Ordinal) ? BackupKind.Restore : BackupKind.Other,
            Database = databasePath,
            Facility = facility,
            FacilityId = facilityId,
            Time = TimeOf(file) ?? new DateTimeOffset(File.GetLastWriteTimeUtc(backup ?? journalPath!), TimeSpan.Zero),
            Size = size,
        };
    }

    /// <summary>The UTC time in a backup's name ("db-{facility}-{yyyyMMddTHHmmssZ}[-n]").</summary>
    private static DateTimeOffset? TimeOf(string name)
    {
        foreach (var part in Enumerable.Reverse(name.Split('-')))
        {
            if (DateTimeOffset.TryParseExact(part, "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            {
                return time;
            }
        }

        return null;
    }
}
