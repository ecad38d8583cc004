namespace KolibriFacility.Core.Backups;

/// <summary>What a backup folder entry is: a backup before an import (with its journal), an import's journal without a backup, or a backup of another kind.</summary>
public enum BackupKind
{
    /// <summary>A backup taken before an import or edit, with the journal of that import.</summary>
    Import,

    /// <summary>An import or edit made without a backup (-NoBackup): only its journal.</summary>
    JournalOnly,

    /// <summary>A backup taken before an undo.</summary>
    Undo,

    /// <summary>A safety copy taken before Restore-FacilityDatabase replaced the database.</summary>
    Restore,

    /// <summary>A backup whose import's journal is gone (an older module, or removed by hand).</summary>
    Other,
}

/// <summary>One entry of a backup folder (Get-FacilityBackup): a backup file, its import's journal, or both.</summary>
public sealed record FacilityBackup
{
    /// <summary>The backup file, or null for an import without a backup.</summary>
    public string? Path { get; init; }

    /// <summary>The import's journal beside it, or null.</summary>
    public string? JournalPath { get; init; }

    public required BackupKind Kind { get; init; }

    /// <summary>The database the import was made on (from the journal), or the one the folder belongs to.</summary>
    public required string Database { get; init; }

    public required string Facility { get; init; }

    public string? FacilityId { get; init; }

    /// <summary>When the backup was taken (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>The backup file's size in bytes (0 without a backup).</summary>
    public long Size { get; init; }

    /// <summary>The CSV of the import (from the journal), when it came from one.</summary>
    public string? CsvPath { get; init; }

    /// <summary>How many changes the import made (from the journal).</summary>
    public int? Changes { get; init; }

    /// <summary>When the import was undone, or null.</summary>
    public DateTimeOffset? UndoneAt { get; init; }

    public bool HasJournal => JournalPath is not null;

    public override string ToString() => Path ?? JournalPath ?? "";
}
