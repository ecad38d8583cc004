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
    public static string DefaultFolder(string databasePath, Storage.Postgres.PostgresSettings? connection = null) => ImportPreflight.DefaultBackupFolder(databasePath, connection);

    public static IReadOnlyList<FacilityBackup> List(string folder, string databasePath)
    {
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var backups = DatabaseBackup.BackupFilesIn(folder).GroupBy(DatabaseBackup.StemOf, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var journals = Directory.EnumerateFiles(folder, ImportJournal.FilePattern).ToDictionary(f => f[..^ImportJournal.Extension.Length], StringComparer.Ordinal);
        return backups.Keys.Union(journals.Keys, StringComparer.Ordinal)
            .Select(stem => Entry(backups.GetValueOrDefault(stem), journals.GetValueOrDefault(stem), databasePath))
            // Names give the time to the second (journals more exactly): within one second, the file written last first.
            .OrderByDescending(b => b.Time.ToUnixTimeSeconds())
            .ThenByDescending(b => File.GetLastWriteTimeUtc((b.Path ?? b.JournalPath)!))
            .ThenByDescending(b => b.Path ?? b.JournalPath, StringComparer.Ordinal)
            .ToList();
    }

    private static FacilityBackup Entry(string? backup, string? journalPath, string databasePath)
    {
        var journal = journalPath is null ? null : ImportJournal.TryRead(journalPath);
        var size = backup is null ? 0 : new FileInfo(backup).Length;
        var file = Path.GetFileName(backup is null ? journalPath![..^ImportJournal.Extension.Length] : DatabaseBackup.StemOf(backup));
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

        // A pg_dump archive cannot be opened without a server: its name tells the facility ("db-{facility}-{time}").
        var (facility, facilityId) = backup is null ? ("", null) : DatabaseBackup.IsDump(backup) ? (LabelOf(file), null) : DatabaseRestorer.FacilitiesOf(backup);
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

    /// <summary>The facility part of a backup's name ("db-{facility}-{time}[-n]"; an undo's or restore's suffix removed).</summary>
    private static string LabelOf(string name)
    {
        var parts = name.Split('-').ToList();
        var time = parts.FindLastIndex(p => TryParseTime(p, out _));
        var label = string.Join("-", parts.Skip(1).Take((time < 0 ? parts.Count : time) - 1));
        foreach (var suffix in (string[])["-undo", "-" + DatabaseRestorer.SafetyCopyLabel])
        {
            if (label.EndsWith(suffix, StringComparison.Ordinal))
            {
                return label[..^suffix.Length];
            }
        }

        return label;
    }

    /// <summary>The UTC time in a backup's name ("db-{facility}-{yyyyMMddTHHmmssZ}[-n]").</summary>
    private static DateTimeOffset? TimeOf(string name)
    {
        foreach (var part in Enumerable.Reverse(name.Split('-')))
        {
            if (TryParseTime(part, out var time))
            {
                return time;
            }
        }

        return null;
    }

    private static bool TryParseTime(string part, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(part, DatabaseBackup.NameTimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
