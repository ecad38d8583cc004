using System.Globalization;
using System.Text;
using KolibriFacility.Core.Users;

namespace KolibriFacility.Core.Import;

/// <summary>Counts of what an import plan does (or, in an ImportResult, what was applied).</summary>
public sealed record ImportSummary
{
    public int UsersCreated { get; init; }
    public int UsersUpdated { get; init; }
    public int UsersDeleted { get; init; }
    public int UsersUnchanged { get; init; }
    public int ClassesCreated { get; init; }
    public int ClassesCleared { get; init; }
    public int ClassesDeleted { get; init; }
    public int ClassesRenamed { get; init; }
    public int EnrolmentsAdded { get; init; }
    public int EnrolmentsRemoved { get; init; }
    public int CoachAssignmentsAdded { get; init; }
    public int CoachAssignmentsRemoved { get; init; }
    public int Errors { get; init; }
    public int Warnings { get; init; }

    /// <summary>The table Kolibri's import preview shows before CONTINUE (docs/Kolibri.md, Import report), as plain lines.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Line(text, $"Users: {UsersCreated} added, {UsersUpdated} updated, {UsersDeleted} deleted, {UsersUnchanged} unchanged");
        if (ClassesRenamed == 0) Line(text, $"Classes: {ClassesCreated} added, {ClassesCleared} cleared, {ClassesDeleted} deleted");
        else Line(text, $"Classes: {ClassesCreated} added, {ClassesCleared} cleared, {ClassesDeleted} deleted, {ClassesRenamed} renamed");
        Line(text, $"Enrolments: {EnrolmentsAdded} added, {EnrolmentsRemoved} removed");
        Line(text, $"Coach assignments: {CoachAssignmentsAdded} added, {CoachAssignmentsRemoved} removed");
        Line(text, $"Errors: {Errors}");
        text.Append(string.Create(CultureInfo.InvariantCulture, $"Warnings: {Warnings}"));
        return text.ToString();
    }

    private static void Line(StringBuilder text, FormattableString line) =>
        text.Append(line.ToString(CultureInfo.InvariantCulture)).Append(Environment.NewLine);

    /// <summary>Counts a list of changes; users with several changes count once.</summary>
    internal static ImportSummary Count(IEnumerable<ImportChange> changes, int usersUnchanged, int errors, int warnings)
    {
        var list = changes as IReadOnlyCollection<ImportChange> ?? changes.ToList();
        var created = list.Where(c => c.Kind == ImportTarget.User && c.Action == ImportAction.Create).Select(Key).ToHashSet(UsernameComparer.Instance);
        var deleted = list.Where(c => c.Kind == ImportTarget.User && c.Action == ImportAction.Delete).Select(Key).ToHashSet(UsernameComparer.Instance);
        var updated = list
            .Where(c => c.Kind is ImportTarget.User or ImportTarget.Enrolment or ImportTarget.CoachAssignment or ImportTarget.Role)
            .Where(c => !(c.Kind == ImportTarget.User && c.Action is ImportAction.Create or ImportAction.Delete))
            .Select(Key)
            .Where(k => !created.Contains(k) && !deleted.Contains(k))
            .ToHashSet(UsernameComparer.Instance);
        int Of(ImportTarget kind, ImportAction action) => list.Count(c => c.Kind == kind && c.Action == action);
        return new ImportSummary
        {
            UsersCreated = created.Count,
            UsersUpdated = updated.Count,
            UsersDeleted = deleted.Count,
            UsersUnchanged = usersUnchanged,
            ClassesCreated = Of(ImportTarget.Class, ImportAction.Create),
            ClassesCleared = Of(ImportTarget.Class, ImportAction.Clear),
            ClassesDeleted = Of(ImportTarget.Class, ImportAction.Delete),
            ClassesRenamed = Of(ImportTarget.Class, ImportAction.Update),
            EnrolmentsAdded = Of(ImportTarget.Enrolment, ImportAction.Add),
            EnrolmentsRemoved = Of(ImportTarget.Enrolment, ImportAction.Remove),
            CoachAssignmentsAdded = Of(ImportTarget.CoachAssignment, ImportAction.Add),
            CoachAssignmentsRemoved = Of(ImportTarget.CoachAssignment, ImportAction.Remove),
            Errors = errors,
            Warnings = warnings,
        };
    }

    private static string Key(ImportChange change) => change.UserId ?? "new:" + change.Username;
}
