namespace KolibriFacility.Core.Import;

/// <summary>How an import is planned and what it may do. Saved with the plan, so that applying a saved plan does what was previewed.</summary>
public sealed record ImportOptions
{
    /// <summary>Delete no user and clear or delete no class; rows still set their own users' classes exactly.</summary>
    public bool NoDelete { get; init; }

    /// <summary>Apply the valid rows even though some rows are invalid; a user whose row is invalid is never changed or deleted.</summary>
    public bool SkipInvalidRows { get; init; }

    /// <summary>Delete classes no row references (as Kolibri's UI delete does) instead of clearing them (as Kolibri's importer does).</summary>
    public bool RemoveUnreferencedClasses { get; init; }

    /// <summary>Allow more deletions than the default threshold, and deleting classes that still have lessons or quizzes.</summary>
    public bool Force { get; init; }

    /// <summary>The most users the import may delete; replaces the default threshold.</summary>
    public int? MaxDeletions { get; init; }

    /// <summary>
    /// The admin states that the CSV is complete although it looks cut short (see <see cref="ImportPlan.SuspectedTruncation"/>):
    /// a header-only file, a last line without its line break, only the users after its last row (in export order)
    /// deleted, or more than half of the users deleted.
    /// <see cref="Force"/> does not imply it.
    /// </summary>
    public bool FileIsComplete { get; init; }

    /// <summary>Only carried so that a saved plan re-reads its CSV the same way.</summary>
    public bool IgnoreUnknownColumns { get; init; }

    /// <summary>The admin running the import (Kolibri's --userid): never deleted, never loses the admin role.</summary>
    public string? ImportingUserId { get; init; }
}
