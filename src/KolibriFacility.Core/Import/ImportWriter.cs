using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using KolibriFacility.Core.Users;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Writes the changes of a plan inside the applier's transaction, with Kolibri's morango ids, partitions, source
/// ids and dirty bit on every inserted or updated row, and morango_deletedmodels for every deleted one.
/// </summary>
internal sealed class ImportWriter(KolibriDatabase database, SqliteTransaction transaction, ImportPlan plan, DateTimeOffset now)
{
    private static readonly Dictionary<string, string> UserColumns = new(StringComparer.Ordinal)
    {
        [UsersCsvFormat.Username] = "username",
        [UsersCsvFormat.FullName] = "full_name",
        [UsersCsvFormat.Identifier] = "id_number",
        [UsersCsvFormat.BirthYear] = "birth_year",
        [UsersCsvFormat.Gender] = "gender",
    };

    private readonly CascadeDeleter deleter = new(database, transaction);
    private readonly Dictionary<string, string> createdUsers = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> createdClasses = new(StringComparer.OrdinalIgnoreCase);
    private readonly string dataset = plan.DatasetId;

    public void Apply(ImportChange change, ImportRow? row, string? passwordHash)
    {
        switch (change.Kind, change.Action)
        {
            case (ImportTarget.Class, ImportAction.Create):
                CreateClass(change.ClassName!);
                break;
            case (ImportTarget.Class, ImportAction.Clear):
                ClearClass(change.ClassId!, change.AffectedUserIds);
                break;
            case (ImportTarget.Class, ImportAction.Delete):
                // Kolibri's UI deletes a class with a soft (syncing) delete, cascading to its groups, memberships, roles, lessons and quizzes.
                deleter.Delete("kolibriauth_collection", [change.ClassId!], hardDelete: false);
                break;
            case (ImportTarget.User, ImportAction.Create):
                CreateUser(Required(row, change), passwordHash!);
                break;
            case (ImportTarget.User, ImportAction.Update):
                UpdateUser(change, Required(row, change), passwordHash);
                break;
            case (ImportTarget.User, ImportAction.Delete):
                DeleteUsers([change.UserId!]);
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
    public void DeleteUsers(IReadOnlyCollection<string> userIds) => deleter.Delete("kolibriauth_facilityuser", userIds, hardDelete: true);

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
        Run("""
            INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
            VALUES ($id, 1, $source, $partition, $name, 'classroom', $dataset, $parent)
            """, ("$id", identity.Id), ("$source", identity.SourceId), ("$partition", identity.Partition), ("$name", name), ("$dataset", dataset),
            ("$parent", plan.FacilityId));
        createdClasses[name] = identity.Id;
    }

    private void CreateUser(ImportRow row, string passwordHash)
    {
        var identity = MorangoId.ForUser(dataset);
        Run("""
            INSERT INTO kolibriauth_facilityuser (password, last_login, id, _morango_dirty_bit, _morango_source_id, _morango_partition, username, full_name,
                date_joined, dataset_id, facility_id, birth_year, gender, id_number, extra_demographics)
            VALUES ($password, NULL, $id, 1, $source, $partition, $username, $fullName, $joined, $dataset, $facility, $birthYear, $gender, $identifier, NULL)
            """, ("$password", passwordHash), ("$id", identity.Id), ("$source", identity.SourceId), ("$partition", identity.Partition),
            ("$username", row.Username), ("$fullName", row.FullName), ("$joined", KolibriTimestamp.Format(now, plan.TimeZone)), ("$dataset", dataset),
            ("$facility", plan.FacilityId), ("$birthYear", row.BirthYear ?? ""), ("$gender", row.Gender ?? ""), ("$identifier", row.Identifier ?? ""));
        createdUsers[row.Username] = identity.Id;
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

        Run($"UPDATE kolibriauth_facilityuser SET {string.Join(", ", sets)}, _morango_dirty_bit = 1 WHERE id = $id", [.. values]);
    }

    private void InsertRole(string userId, string collectionId, string kind)
    {
        var identity = MorangoId.ForRole(dataset, userId, collectionId, kind);
        deleter.ForgetDeletion(identity.Id);
        Run("""
            INSERT INTO kolibriauth_role (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id, kind)
            VALUES ($id, 1, $source, $partition, $collection, $dataset, $user, $kind)
            """, ("$id", identity.Id), ("$source", identity.SourceId), ("$partition", identity.Partition), ("$collection", collectionId),
            ("$dataset", dataset), ("$user", userId), ("$kind", kind));
    }

    private void InsertMembership(string userId, string collectionId)
    {
        var identity = MorangoId.ForMembership(dataset, userId, collectionId);
        deleter.ForgetDeletion(identity.Id);
        Run("""
            INSERT INTO kolibriauth_membership (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id)
            VALUES ($id, 1, $source, $partition, $collection, $dataset, $user)
            """, ("$id", identity.Id), ("$source", identity.SourceId), ("$partition", identity.Partition), ("$collection", collectionId),
            ("$dataset", dataset), ("$user", userId));
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
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            while (reader.Read()) ids.Add(reader.GetString(0));
        }

        if (ids.Count > 0)
        {
            deleter.Delete(table, ids, hardDelete: false);
        }
    }

    private void Run(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = database.Command(sql, transaction);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }
}
