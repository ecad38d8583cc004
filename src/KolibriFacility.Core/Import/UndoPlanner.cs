using System.Data.Common;
using System.Globalization;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Builds the inverse of an import from its journal and the database as it is now (docs/Undo.md). A change is undone
/// only when every row it wrote is still as the import left it: a row the import inserted is removed only while it is
/// unchanged and nothing but the import's own rows refer to it (learner progress since refuses it); a row it updated
/// gets its old values back only while it still holds the import's; a row it deleted comes back with its id only while
/// no row has that id (or, for a user, that username) again. Otherwise the whole change is left alone and reported.
/// </summary>
internal sealed class UndoPlanner(KolibriDatabase database, DbTransaction? transaction)
{
    private const string Users = "kolibriauth_facilityuser";
    private const string Collections = "kolibriauth_collection";

    public UndoPlan Plan(ImportJournal journal)
    {
        using var rows = new RowStore(database, transaction);
        var deleter = new CascadeDeleter(database, transaction);
        var byChange = journal.Ops.GroupBy(o => o.Change).ToDictionary(g => g.Key, g => g.ToList());
        var inserted = journal.Ops.Where(o => o.Kind == ImportJournal.Insert && o.Row.Id is not null)
            .Select(o => Key(o.Row.Table, o.Row.Id!)).ToHashSet(StringComparer.Ordinal);
        var current = CurrentRows(rows, journal.Ops);
        var referencing = journal.Ops.Where(o => o.Kind == ImportJournal.Insert && o.Row.Id is not null)
            .GroupBy(o => o.Row.Table, StringComparer.OrdinalIgnoreCase)
            .SelectMany(g => deleter.Referencing(g.Key, g.Select(o => o.Row.Id!).ToList()).Select(r => (Key: Key(g.Key, r.Key), r.Value)))
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);

        // Users and classes the import created, by name: the journal's later changes name them without an id.
        var createdUsers = journal.Ops.Where(o => o.Kind == ImportJournal.Insert && o.Row.Table.Equals(Users, StringComparison.OrdinalIgnoreCase))
            .ToDictionary(o => (string)o.Row["username"]!, o => o.Row.Id!, UsernameComparer.Instance);
        var createdClasses = journal.Ops.Where(o => o.Kind == ImportJournal.Insert && o.Row.Table.Equals(Collections, StringComparison.OrdinalIgnoreCase))
            .GroupBy(o => (string)o.Row["name"]!, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First().Row.Id!, StringComparer.OrdinalIgnoreCase);
        var changes = new List<ImportChange>();
        var refused = new List<UndoRefusal>();
        var steps = new List<UndoStep>();
        foreach (var change in journal.Changes.Reverse())
        {
            var ops = byChange.GetValueOrDefault(change.Id) ?? [];
            if (ops.Count == 0)
            {
                continue; // e.g. a user type change: its role rows are changes of their own
            }

            var (changeSteps, refusal) = Check(change, ops, rows, referencing, current, inserted, journal.FacilityId);
            if (refusal is not null)
            {
                refused.Add(refusal);
                continue;
            }

            if (changeSteps.Count == 0)
            {
                refused.Add(Refuse(change, UndoRefusalIds.GoneSince, "what it wrote is gone since the import, so there is nothing to undo."));
                continue;
            }

            steps.AddRange(changeSteps);
            changes.Add(Inverse(change with
            {
                UserId = change.UserId ?? (change.Username is { } name ? createdUsers.GetValueOrDefault(name) : null),
                ClassId = change.ClassId ?? (change.ClassName is { } className ? createdClasses.GetValueOrDefault(className) : null),
            }, ops));
        }

        return new UndoPlan
        {
            Journal = journal,
            DatabasePath = database.Path,
            Changes = changes,
            Refused = refused,
            Summary = ImportSummary.Count(changes, 0, 0, refused.Count),
            Steps = steps,
        };
    }

    private static (List<UndoStep> Steps, UndoRefusal? Refusal) Check(ImportChange change, List<JournalOp> ops, RowStore rows, Dictionary<string, List<(string Table, string? Id)>> referencing,
        Dictionary<string, RowImage> current, HashSet<string> inserted, string facilityId)
    {
        var steps = new List<UndoStep>();
        foreach (var op in Enumerable.Reverse(ops))
        {
            var id = op.Row.Id;
            var now = id is null ? null : current.GetValueOrDefault(Key(op.Row.Table, id));
            switch (op.Kind)
            {
                case ImportJournal.Insert:
                    if (now is null)
                    {
                        continue; // removed since (by Kolibri or an admin): nothing left to remove
                    }

                    var since = (referencing.GetValueOrDefault(Key(op.Row.Table, id!)) ?? []).Where(r => r.Id is null || !inserted.Contains(Key(r.Table, r.Id))).ToList();
                    if (since.Count > 0)
                    {
                        var progress = since.Count(r => r.Table.StartsWith("logger_", StringComparison.OrdinalIgnoreCase));
                        return ([], progress > 0
                            ? Refuse(change, UndoRefusalIds.ProgressSince, Inv($"{What(op.Row)} has learner progress recorded since the import ({progress} record(s) in {Tables(since)}); removing it would lose that progress."))
                            : Refuse(change, UndoRefusalIds.RecordsSince, Inv($"{What(op.Row)} has {since.Count} record(s) since the import ({Tables(since)}) that removing it would delete.")));
                    }

                    if (now.Differences(op.Row) is { Count: > 0 } changed)
                    {
                        return ([], Refuse(change, UndoRefusalIds.ChangedSince, $"{What(op.Row)} changed since the import ({string.Join(", ", changed)})."));
                    }

                    steps.Add(new UndoStep(UndoStepKind.Remove, change.Id, now, op.Row));
                    break;

                case ImportJournal.Update:
                    if (now is null)
                    {
                        return ([], Refuse(change, UndoRefusalIds.GoneSince, $"{What(op.Row)} is gone since the import."));
                    }

                    if (now.Differences(op.After!) is { Count: > 0 } edited)
                    {
                        return ([], Refuse(change, UndoRefusalIds.ChangedSince, $"{What(op.Row)} changed since the import ({string.Join(", ", edited)})."));
                    }

                    steps.Add(new UndoStep(UndoStepKind.Restore, change.Id, op.Row, op.After));
                    break;

                case ImportJournal.Delete:
                    if (now is not null)
                    {
                        return ([], Refuse(change, UndoRefusalIds.RecreatedSince, $"{What(op.Row)} exists again since the import (id {id})."));
                    }

                    if (op.Row.Table.Equals(Users, StringComparison.OrdinalIgnoreCase) && op.Row["username"] is string username
                        && rows.UsernameTaken(facilityId, username, id!))
                    {
                        return ([], Refuse(change, UndoRefusalIds.RecreatedSince, $"another user has the username '{username}' since the import."));
                    }

                    steps.Add(new UndoStep(UndoStepKind.Reinsert, change.Id, op.Row, null));
                    break;
            }
        }

        return (steps, null);
    }

    /// <summary>The current state of every row the journal names, read per table in batches (one query per 400 rows, not per row).</summary>
    private static Dictionary<string, RowImage> CurrentRows(RowStore rows, IEnumerable<JournalOp> ops)
    {
        var found = new Dictionary<string, RowImage>(StringComparer.Ordinal);
        foreach (var table in ops.Where(o => o.Row.Id is not null).GroupBy(o => o.Row.Table, StringComparer.OrdinalIgnoreCase))
        {
            var ids = table.Select(o => o.Row.Id!).Distinct(StringComparer.Ordinal).ToList();
            foreach (var row in rows.Select(table.Key, "id", ids))
            {
                found[Key(table.Key, row.Id!)] = row;
            }
        }

        return found;
    }

    /// <summary>The change that undoes <paramref name="change"/>, described as a plan describes its changes.</summary>
    private static ImportChange Inverse(ImportChange change, List<JournalOp> ops)
    {
        var user = change.Username ?? change.Target;
        var children = ops.Count(o => o.Kind == ImportJournal.Delete) - 1;
        var (action, description) = (change.Kind, change.Action) switch
        {
            (ImportTarget.User, ImportAction.Create) => (ImportAction.Delete, $"Delete user '{user}' (created by the import)"),
            (ImportTarget.User, ImportAction.Update) => (ImportAction.Update, $"Update user '{user}' back: " + string.Join(", ", change.Fields.Select(f => new FieldChange(f.Field, f.NewValue, f.OldValue)))),
            (ImportTarget.User, ImportAction.Delete) => (ImportAction.Create, Inv($"Restore user '{user}' with its id and {children} row(s) deleted with it (memberships, roles, progress)")),
            (ImportTarget.Class, ImportAction.Update) => (ImportAction.Update, $"Rename class '{change.Fields[0].NewValue}' back to '{change.Fields[0].OldValue}'"),
            (ImportTarget.Class, ImportAction.Create) => (ImportAction.Delete, $"Delete class '{change.ClassName}' (created by the import)"),
            (ImportTarget.Class, ImportAction.Delete) => (ImportAction.Create, Inv($"Restore class '{change.ClassName}' with its id and {children} row(s) deleted with it (groups, memberships, roles, lessons, quizzes)")),
            (ImportTarget.Class, ImportAction.Clear) => (ImportAction.Add, Inv($"Restore the {ops.Count} enrolment(s) and coach assignment(s) the import removed from class '{change.ClassName}'")),
            (ImportTarget.Role, ImportAction.Add) => (ImportAction.Remove, $"Remove the facility role '{change.RoleKind}' from '{user}'"),
            (ImportTarget.Role, _) => (ImportAction.Add, $"Give '{user}' the facility role '{change.RoleKind}'"),
            (ImportTarget.Enrolment, ImportAction.Add) => (ImportAction.Remove, $"Remove '{user}' from class '{change.ClassName}'"),
            (ImportTarget.Enrolment, _) => (ImportAction.Add, $"Enrol '{user}' in class '{change.ClassName}'"),
            (ImportTarget.CoachAssignment, ImportAction.Add) => (ImportAction.Remove, $"Remove '{user}' as coach of class '{change.ClassName}'"),
            (_, _) => (ImportAction.Add, $"Assign '{user}' as coach of class '{change.ClassName}'"),
        };
        return change with
        {
            Action = action,
            Row = null,
            Fields = change.Fields.Select(f => new FieldChange(f.Field, f.NewValue, f.OldValue)).ToList(),
            IsDestructive = action is ImportAction.Delete or ImportAction.Remove,
            Description = description,
        };
    }

    private static UndoRefusal Refuse(ImportChange change, string id, string reason) =>
        new(change.Id, change.Description, change.Username, change.ClassName, id, reason);

    private static string What(RowImage row) => row.Table.ToLowerInvariant() switch
    {
        Users => $"User '{row["username"]}'",
        Collections => $"Class '{row["name"]}'",
        "kolibriauth_membership" => "The membership",
        "kolibriauth_role" => "The role",
        _ => $"The {row.Table} row {row.Id}",
    };

    private static string Tables(IEnumerable<(string Table, string? Id)> rows) =>
        string.Join(", ", rows.GroupBy(r => r.Table, StringComparer.OrdinalIgnoreCase).Select(g => Inv($"{g.Key}: {g.Count()}")));

    private static string Key(string table, string id) => table.ToLowerInvariant() + "/" + id;

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
