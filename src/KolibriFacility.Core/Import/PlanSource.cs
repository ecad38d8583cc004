using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Core.Import;

/// <summary>
/// What a plan is made from: a users CSV for the import (<see cref="UsersCsvDocument"/>), or a set of edits for the
/// one-user and one-class cmdlets (<see cref="FacilityEdits"/>). The planner turns a source into a plan against a
/// facility snapshot, and the applier plans it again inside its write transaction, so both kinds go through the same
/// rules, conflict check and writer.
/// </summary>
public abstract class PlanSource
{
    private protected PlanSource()
    {
    }

    /// <summary>SHA-256 of the source (the CSV's bytes; the edits' canonical text without passwords): a plan applies only with the source it was made from.</summary>
    public abstract string Sha256 { get; }

    /// <summary>What the source is, for messages: "The CSV" or "The edits".</summary>
    internal abstract string Noun { get; }

    /// <summary>The rows a snapshot's plan is built from, with the explicit edits beside them (none for a CSV).</summary>
    internal abstract PlanInput Input(FacilitySnapshot snapshot);

    /// <summary>The clear-text password of a row, for hashing before the write lock; null when the source has no such row.</summary>
    internal abstract string? PasswordOf(int row);

    public static PlanSource FromCsv(UsersCsvDocument document) => new CsvPlanSource(document);
}

/// <summary>
/// A source's rows (validated as users CSV rows) and, for edits, what rows cannot say: users to delete by id, classes
/// to create, rename and delete. <see cref="Edits"/> null means the import's semantics (users and classes the rows do
/// not name are deleted or cleared unless NoDelete); otherwise nothing is deleted or cleared but what the edits name.
/// </summary>
internal sealed record PlanInput(UsersCsvDocument Document, PlanEdits? Edits);

internal sealed record PlanEdits
{
    public IReadOnlyList<string> CreateClasses { get; init; } = [];
    public IReadOnlyList<(string ClassId, string NewName)> RenameClasses { get; init; } = [];
    public IReadOnlyList<string> DeleteClasses { get; init; } = [];
    public IReadOnlyList<string> DeleteUsers { get; init; } = [];
    public IReadOnlyList<ImportError> Errors { get; init; } = [];
}

internal sealed class CsvPlanSource(UsersCsvDocument document) : PlanSource
{
    private Dictionary<int, ImportRow>? rows;

    public override string Sha256 => document.Sha256;

    internal override string Noun => "The CSV";

    internal override PlanInput Input(FacilitySnapshot snapshot) => new(document, null);

    internal override string? PasswordOf(int row) =>
        (rows ??= document.Rows.ToDictionary(r => r.Row)).TryGetValue(row, out var found) ? found.Password : null;
}
