using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>Stable ids of the reasons an undo leaves a change of the import alone: they are API (warnings, error objects, tests).</summary>
public static class UndoRefusalIds
{
    /// <summary>The row is no longer as the import left it (Kolibri, an admin or another import changed it since).</summary>
    public const string ChangedSince = "UndoChangedSince";

    /// <summary>A user the import created has learner progress (logs) since: deleting the user would lose it.</summary>
    public const string ProgressSince = "UndoProgressSince";

    /// <summary>A user or class the import created has other records since (enrolments, lessons, ...).</summary>
    public const string RecordsSince = "UndoRecordsSince";

    /// <summary>A row the import deleted exists again, or its username is taken by another user now.</summary>
    public const string RecreatedSince = "UndoRecreatedSince";

    /// <summary>A row the import changed or created is gone since.</summary>
    public const string GoneSince = "UndoGoneSince";
}

/// <summary>A change of the import that the undo leaves as it is, and why.</summary>
public sealed record UndoRefusal(int ChangeId, string Description, string? Username, string? ClassName, string RefusalId, string Reason)
{
    public override string ToString() => $"Change {ChangeId} ({Description}) is left as it is: {Reason}";
}

/// <summary>
/// What undoing an import will do: the inverse of each of its changes (newest first, described as any plan's changes
/// are) that can be undone, and the changes it leaves alone because their rows are no longer as the import left them.
/// </summary>
public sealed class UndoPlan
{
    public required ImportJournal Journal { get; init; }

    public required string DatabasePath { get; init; }

    /// <summary>The inverse changes, in the order they are applied; each Id is the id of the import's change it undoes.</summary>
    public required IReadOnlyList<ImportChange> Changes { get; init; }

    public required IReadOnlyList<UndoRefusal> Refused { get; init; }

    public required ImportSummary Summary { get; init; }

    public string FacilityName => Journal.FacilityName;

    public string FacilityId => Journal.FacilityId;

    public DateTimeOffset ImportedAt => Journal.ImportedAt;

    public bool IsEmpty => Changes.Count == 0;

    internal IReadOnlyList<UndoStep> Steps { get; init; } = [];

    public override string ToString() =>
        $"Undo of the import into '{FacilityName}' at {ImportedAt:u}: {Changes.Count} change(s) undone, {Refused.Count} left as they are";
}

/// <summary>What an undo did.</summary>
public sealed record UndoResult
{
    public required UndoPlan Plan { get; init; }

    /// <summary>Counts of the inverse changes applied.</summary>
    public required ImportSummary Summary { get; init; }

    public int ChangesUndone { get; init; }

    /// <summary>The changes left as they are (re-checked inside the undo's transaction).</summary>
    public required IReadOnlyList<UndoRefusal> Refused { get; init; }

    public string? BackupPath { get; init; }

    /// <summary>Why no backup file was taken although one was asked for (PostgreSQL without a usable pg_dump), or null.</summary>
    public string? NoBackupReason { get; init; }

    public string JournalPath => Plan.Journal.Path;

    public TimeSpan Duration { get; init; }

    public override string ToString() => Summary.ToString();
}

/// <summary>One row to put back: Remove a row the import inserted, Restore one it updated, Reinsert one it deleted.</summary>
internal sealed record UndoStep(UndoStepKind Kind, int Change, RowImage Row, RowImage? ImportedImage);

internal enum UndoStepKind
{
    Remove,
    Restore,
    Reinsert,
}
