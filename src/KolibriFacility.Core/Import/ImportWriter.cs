using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using System.Data.Common;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Writes the changes of a plan inside the applier's transaction, with Kolibri's morango ids, partitions, source
/// ids and dirty bit on every inserted or updated row, and morango_deletedmodels for every deleted one.
/// </summary>
/// <remarks>With a journal, every row written is recorded in it, attributed to the change that wrote it.</remarks>
internal sealed class ImportWriter(KolibriDatabase database, DbTransaction transaction, ImportPlan plan, DateTimeOffset now, ImportJournalWriter? journal = null) : IDisposable
{
    private static readonly Dictionary<string, string> UserColumns = new(StringComparer.Ordinal)
    {
        [UsersCsvFormat.Username] = "username",
        [UsersCsvFormat.FullName] = "full_name",
        [UsersCsvFormat.Identifier] = "id_number",
        [UsersCsvFormat.BirthYear] = "birth_year",
        [UsersCsvFormat.Gender] = "gender",
    };

    private readonly KolibriRowWriter rows = new(database, transaction);
    private readonly RowStore images = new(database, transaction);
    private readonly Dictionary<string, int> deletedBy = new(StringComparer.Ordinal);
    private CascadeDeleter? deleter;
    private int current;
    private readonly Dictionary<string, string> createdUsers = new(UsernameComparer.Instance);
    private readonly Dictionary<string, string> createdClasses = new(StringComparer.OrdinalIgnoreCase);
    private readonly string dataset = plan.DatasetId;

    private CascadeDeleter Deleter => deleter ??= new CascadeDeleter(database, transaction)
    {
        Deleting = journal is null ? null : (row, root) => journal.Deleted(deletedBy.GetValueOrDefault(root, current), row),
    };

    public void Apply(ImportChange change, ImportRow? row, string? passwordHash)
    {
        current = change.Id;
        journal?.Change(change);
        switch (change.Kind, change.Action)
        {
            case (ImportTarget.Class, ImportAction.Create):
                CreateClass(change.ClassName!);
                break;
            case (ImportTarget.Class, ImportAction.Update):
                // A rename: the collection row keeps its id, so memberships, roles, lessons and quizzes follow it.
                var before = journal is null ? null : images.Find("kolibriauth_collection", change.ClassId!);
                rows.Execute("UPDATE kolibriauth_collection SET name = $name, _morango_dirty_bit = TRUE WHERE id = $id",
                    ("$name", change.Fields[0].NewValue), ("$id", change.ClassId));
                if (before is not null)
                {
                    journal!.Updated(current, before, images.Find("kolibriauth_collection", change.ClassId!)!);
                }

                break;
            case (ImportTarget.Class, ImportAction.Clear):
                ClearClass(change.ClassId!, change.AffectedUserIds);
                break;
            case (ImportTarget.Class, ImportAction.Delete):
                // Kolibri's UI deletes a class with a soft (syncing) delete, cascading to its groups, memberships, roles, lessons and quizzes.
                Deleter.Delete("kolibriauth_collection", [change.ClassId!], hardDelete: false);
                break;
            case (ImportTarget.User, ImportAction.Create):
                CreateUser(Required(row, change), passwordHash!);
                break;
            case (ImportTarget.User, ImportAction.Update):
                UpdateUser(change, Required(row, change), passwordHash);
                break;
            case (ImportTarget.User, ImportAction.Delete):
                Deleter.Delete("kolibriauth_facilityuser", [change.UserId!], hardDelete: true);
                break;
            case (ImportTarget.Role, ImportAction.Add):
                InsertRole(UserOf(change), plan.FacilityId, change.RoleKind!);
                break;
            case (ImportTarget.Role, ImportAction.Remove):
                DeleteRole(UserOf(change), plan.FacilityId, change.RoleKind!);
                break;
            case (ImportTarget.CoachAssignment, ImportAction.Add):
                InsertRole(UserOf(change), ClassOf(change), RoleKinds.Coach);
                break;
            case (ImportTarget.CoachAssignment, ImportAction.Remove):
                DeleteRole(UserOf(change), ClassOf(change), RoleKinds.Coach);
                break;
            case (ImportTarget.Enrolment, ImportAction.Add):
                InsertMembership(UserOf(change), ClassOf(change));
                break;
            case (ImportTarget.Enrolment, ImportAction.Remove):
                DeleteEnrolment(UserOf(change), ClassOf(change));
                break;
            default:
                throw new InvalidDataException($"Change {change.Id} ({change.Kind} {change.Action}) is not a change an import makes.");
        }
    }

    /// <summary>Deletes users as bulkimportusers does: morango's hard delete, so every cascaded row is also purged from the store on sync.</summary>
    public void DeleteUsers(IReadOnlyList<ImportChange> changes)
    {
        deletedBy.Clear();
        foreach (var change in changes)
        {
            journal?.Change(change);
            deletedBy[change.UserId!] = change.Id;
        }

        Deleter.Delete("kolibriauth_facilityuser", changes.Select(c => c.UserId!).ToList(), hardDelete: true);
        deletedBy.Clear();
    }

    private static ImportRow Required(ImportRow? row, ImportChange change) =>
        row ?? throw new InvalidDataException($"Change {change.Id} ({change.Description}) refers to CSV row {change.Row}, which the CSV does not have.");

    private string UserOf(ImportChange change) =>
        change.UserId ?? (createdUsers.TryGetValue(change.Username!, out var id) ? id
            : throw new InvalidDataException($"Change {change.Id} ({change.Description}) refers to user '{change.Username}', which the import did not create."));

    private string ClassOf(ImportChange change) =>
        change.ClassId ?? (createdClasses.TryGetValue(change.ClassName!, out var id) ? id
            : throw new InvalidDataException($"Change {change.Id} ({change.Description}) refers to class '{change.ClassName}', which the import did not create."));

    private void CreateClass(string name)
    {
        var identity = MorangoId.ForCollection(CollectionKinds.Classroom, dataset);
        rows.InsertCollection(identity, name, CollectionKinds.Classroom, dataset, plan.FacilityId);
        createdClasses[name] = identity.Id;
        Journal("kolibriauth_collection", identity.Id);
    }

    private void CreateUser(ImportRow row, string passwordHash)
    {
        var identity = MorangoId.ForUser(dataset);
        rows.InsertUser(identity, dataset, plan.FacilityId, row.Username, row.FullName, passwordHash, row.Gender ?? "", row.BirthYear ?? "",
            row.Identifier ?? "", KolibriTimestamp.Format(now, plan.TimeZone));
        createdUsers[row.Username] = identity.Id;
        Journal("kolibriauth_facilityuser", identity.Id);
    }

    private void UpdateUser(ImportChange change, ImportRow row, string? passwordHash)
    {
        var sets = new List<string>();
        var values = new List<(string, object?)> { ("$id", change.UserId) };
        foreach (var field in change.Fields)
        {
            if (UserColumns.TryGetValue(field.Field, out var column))
            {
                sets.Add($"{column} = $v{values.Count}");
                values.Add(($"$v{values.Count}", field.NewValue ?? ""));
            }
        }

        if (passwordHash is not null)
        {
            sets.Add("password = $password");
            values.Add(("$password", passwordHash));
        }

        if (sets.Count == 0)
        {
            return; // only the user type changes: that is the role rows
        }

        var before = journal is null ? null : images.Find("kolibriauth_facilityuser", change.UserId!);
        rows.Execute($"UPDATE kolibriauth_facilityuser SET {string.Join(", ", sets)}, _morango_dirty_bit = TRUE WHERE id = $id", [.. values]);
        if (before is not null)
        {
            journal!.Updated(current, before, images.Find("kolibriauth_facilityuser", change.UserId!)!);
        }
    }

    private void InsertRole(string userId, string collectionId, string kind)
    {
        var identity = MorangoId.ForRole(dataset, userId, collectionId, kind);
        Deleter.ForgetDeletion(identity.Id);
        rows.InsertRole(identity, dataset, userId, collectionId, kind);
        Journal("kolibriauth_role", identity.Id);
    }

    private void InsertMembership(string userId, string collectionId)
    {
        var identity = MorangoId.ForMembership(dataset, userId, collectionId);
        Deleter.ForgetDeletion(identity.Id);
        rows.InsertMembership(identity, dataset, userId, collectionId);
        Journal("kolibriauth_membership", identity.Id);
    }

    private void DeleteRole(string userId, string collectionId, string kind) =>
        DeleteWhere("kolibriauth_role", "user_id = $user AND collection_id = $collection AND kind = $kind",
            ("$user", userId), ("$collection", collectionId), ("$kind", kind));

    /// <summary>Leaving a class also means leaving its learner groups (Kolibri requires class membership for group membership).</summary>
    private void DeleteEnrolment(string userId, string classId) =>
        DeleteWhere("kolibriauth_membership",
            "user_id = $user AND (collection_id = $class OR collection_id IN (SELECT id FROM kolibriauth_collection WHERE parent_id = $class))",
            ("$user", userId), ("$class", classId));

    private void ClearClass(string classId, IReadOnlyList<string> userIds)
    {
        foreach (var userId in userIds)
        {
            DeleteEnrolment(userId, classId);
            DeleteRole(userId, classId, RoleKinds.Coach);
        }
    }

    private void DeleteWhere(string table, string condition, params (string Name, object? Value)[] parameters)
    {
        var ids = new List<string>();
        using (var command = database.Command($"SELECT id FROM {table} WHERE {condition}", transaction))
        {
            SqlParameters.Bind(command, parameters);
            using var reader = command.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0));
        }

        if (ids.Count > 0)
        {
            Deleter.Delete(table, ids, hardDelete: false);
        }
    }

    /// <summary>Records a row this change inserted, as stored.</summary>
    private void Journal(string table, string id)
    {
        if (journal is not null)
        {
            journal.Inserted(current, images.Find(table, id)!);
        }
    }

    public void Dispose()
    {
        rows.Dispose();
        images.Dispose();
    }
}
