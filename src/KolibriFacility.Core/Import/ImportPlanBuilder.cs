using System.Globalization;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using User = KolibriFacility.Core.Import.FacilitySnapshot.User;

namespace KolibriFacility.Core.Import;

/// <summary>Turns one snapshot, one CSV document and the options into a plan (the planner's set operations).</summary>
internal sealed class ImportPlanBuilder
{
    private readonly FacilitySnapshot snapshot;
    private readonly UsersCsvDocument document;
    private readonly PlanEdits? edits;
    private readonly ImportOptions options;
    private readonly List<ImportError> errors;
    private readonly List<ImportWarning> warnings = [];
    private readonly List<ImportChange> changes = [];
    private readonly RowMatcher matcher;
    private readonly List<(ImportRow Row, User? Target)> validRows = [];
    private readonly Dictionary<string, string?> classIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> newClasses = [];
    private readonly Dictionary<string, string> newClassSpelling = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> referencedClassNames = new(StringComparer.OrdinalIgnoreCase);
    private int unchanged;

    public ImportPlanBuilder(FacilitySnapshot snapshot, PlanInput input, ImportOptions options)
    {
        this.snapshot = snapshot;
        document = input.Document;
        edits = input.Edits;
        this.options = options;
        errors = [.. document.Errors, .. edits?.Errors ?? []];
        matcher = new RowMatcher(snapshot, document, errors, warnings);
    }

    public ImportPlan Build(string databasePath)
    {
        validRows.AddRange(matcher.Match());

        ResolveClasses();
        foreach (var name in newClasses)
        {
            Add(ImportAction.Create, ImportTarget.Class, name, className: name, description: $"Create class '{name}'");
        }

        foreach (var (id, newName) in edits?.RenameClasses ?? [])
        {
            var old = snapshot.ClassesById[id].Name;
            Add(ImportAction.Update, ImportTarget.Class, newName, className: newName, classId: id, fields: [new(ClassNameField, old, newName)],
                description: $"Rename class '{old}' to '{newName}'");
        }

        foreach (var (row, target) in validRows)
        {
            if (target is null) PlanNewUser(row);
            else PlanExistingUser(row, target);
        }

        // A file that could not be read has no rows: planning deletions from it would preview deleting everyone.
        // Edits delete only what they name.
        var deleted = document.HasFileErrors ? [] : edits is null ? PlanUserDeletions() : PlanNamedUserDeletions(edits.DeleteUsers);
        var classesWithContent = document.HasFileErrors ? [] : edits is null ? PlanUnreferencedClasses(deleted) : PlanNamedClassDeletions(edits.DeleteClasses);
        var nonAdminUsers = snapshot.Users.Count(u => !u.IsAdmin && !u.IsSuperuser);

        return new ImportPlan
        {
            Summary = ImportSummary.Count(changes, unchanged, errors.Count, warnings.Count),
            Changes = changes,
            Errors = errors,
            Warnings = warnings,
            CsvPath = document.Path,
            CsvSha256 = document.Sha256,
            DatabasePath = databasePath,
            FacilityId = snapshot.Facility.Id,
            FacilityName = snapshot.Facility.Name,
            DatasetId = snapshot.Facility.DatasetId,
            CreatedAt = DateTimeOffset.UtcNow,
            Options = options,
            Fingerprint = snapshot.Fingerprint,
            NonAdminUserCount = nonAdminUsers,
            SuspectedTruncation = edits is null ? TruncationSigns(deleted, nonAdminUsers) : null,
            HasFileErrors = document.HasFileErrors,
            ClassesWithLessonsOrQuizzes = classesWithContent,
            TimeZone = snapshot.TimeZone,
            Rows = validRows.ToDictionary(v => v.Row.Row, v => v.Row),
        };
    }

    /// <summary>The field of a class rename (a class has no CSV column).</summary>
    public const string ClassNameField = "NAME";

    private void Warn(int? row, string? username, string id, string message) =>
        warnings.Add(new ImportWarning { Row = row, Username = username, WarningId = id, Message = message });

    private UserType FinalType(ImportRow row, User? target)
    {
        if (target is null) return row.UserType;
        if (!document.HasColumn(UsersCsvFormat.UserType)) return target.Type;
        if (target.Id == options.ImportingUserId && target.Type == UserType.ADMIN && row.UserType != UserType.ADMIN) return UserType.ADMIN;
        return row.UserType;
    }

    private void ResolveClasses()
    {
        foreach (var c in snapshot.Classes) classIds.TryAdd(c.Name, c.Id);
        foreach (var name in edits?.CreateClasses ?? [])
        {
            classIds[name] = null;
            newClasses.Add(name);
            newClassSpelling[name] = name;
        }

        // Kolibri collects every row's ENROLLED_IN classes before any ASSIGNED_TO class, and a new class takes the
        // first spelling in that order (the fixture's "science 7" in an early ASSIGNED_TO became "Science 7").
        var enrolled = validRows.SelectMany(v => v.Row.EnrolledIn ?? []);
        var assigned = validRows.Where(v => FinalType(v.Row, v.Target) != UserType.LEARNER).SelectMany(v => v.Row.AssignedTo ?? []);
        foreach (var name in enrolled.Concat(assigned))
        {
            if (classIds.TryGetValue(name, out var id))
            {
                if (id is not null) Reference(name);
            }
            else
            {
                classIds[name] = null;
                newClasses.Add(name);
                newClassSpelling[name] = name;
            }
        }

        // A class named only in an invalid row is still "referenced": clearing it would undo what that row meant.
        foreach (var rejected in document.Rejected)
        {
            var names = rejected.ClassNames
                ?? [.. new[] { UsersCsvFormat.EnrolledIn, UsersCsvFormat.AssignedTo }.SelectMany(c => ClassList.Split(rejected.Cells.GetValueOrDefault(c, "")))];
            foreach (var name in names)
            {
                if (classIds.TryGetValue(name, out var id) && id is not null) Reference(name);
            }
        }
    }

    /// <summary>Every class of that name is referenced (a facility may hold two classes of one name).</summary>
    private void Reference(string name) => referencedClassNames.Add(name);

    /// <summary>Resolved class (existing id or null for a class this import creates) and its name as the facility knows it.</summary>
    private (string? Id, string Name) ClassOf(string name)
    {
        var id = classIds[name];
        return (id, id is null ? newClassSpelling[name] : snapshot.ClassesById[id].Name);
    }

    private void PlanNewUser(ImportRow row)
    {
        var fields = new List<FieldChange>
        {
            new(UsersCsvFormat.Username, null, row.Username),
            new(UsersCsvFormat.FullName, null, row.FullName),
            new(UsersCsvFormat.UserType, null, row.UserType.ToString()),
        };
        if (!string.IsNullOrEmpty(row.Identifier)) fields.Add(new(UsersCsvFormat.Identifier, null, row.Identifier));
        if (!string.IsNullOrEmpty(row.BirthYear)) fields.Add(new(UsersCsvFormat.BirthYear, null, row.BirthYear));
        if (!string.IsNullOrEmpty(row.Gender)) fields.Add(new(UsersCsvFormat.Gender, null, row.Gender));
        fields.Add(new(UsersCsvFormat.Password, null, null));
        Add(ImportAction.Create, ImportTarget.User, row.Username, row: row.Row, username: row.Username, fields: fields,
            description: $"Create user '{row.Username}' ({row.FullName}, {row.UserType})");

        if (RoleKinds.ForUserType(row.UserType) is { } kind)
        {
            AddRole(ImportAction.Add, row.Row, null, row.Username, kind);
        }

        foreach (var name in (row.EnrolledIn ?? []).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            AddMembership(ImportTarget.Enrolment, ImportAction.Add, row.Row, null, row.Username, ClassOf(name));
        }

        if (row.UserType == UserType.LEARNER) WarnIgnoredAssignments(row);
        else
        {
            foreach (var name in (row.AssignedTo ?? []).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                AddMembership(ImportTarget.CoachAssignment, ImportAction.Add, row.Row, null, row.Username, ClassOf(name));
            }
        }
    }

    private void WarnIgnoredAssignments(ImportRow row)
    {
        if (row.AssignedTo is { Count: > 0 } assigned)
        {
            Warn(row.Row, row.Username, ImportWarningIds.AssignedToIgnoredForLearner,
                $"'{row.Username}' is a LEARNER, so the coach assignment to {string.Join(", ", assigned.Select(a => "'" + a + "'"))} is ignored (as Kolibri does).");
        }
    }

    /// <summary>
    /// Why the file looks cut short, or null. Only a file that deletes users is suspect: cutting a file short drops
    /// the users after the cut, and the import deletes them.
    /// </summary>
    private string? TruncationSigns(HashSet<string> deletedUsers, int nonAdminUsers)
    {
        var deletions = deletedUsers.Count;
        if (deletions == 0)
        {
            return null;
        }

        var signs = new List<string>();
        if (document.DataRowCount == 0)
        {
            signs.Add("it has a header but no data rows");
        }

        if (document.LastLineUnterminated)
        {
            signs.Add("its last line has no line break although its other lines have one, as when a copy or download stops early");
        }

        if (DeletesOnlyTheTail(deletedUsers))
        {
            signs.Add("its rows follow Kolibri's export order and every user it would delete comes after its last row, as when an export is cut short at a line break");
        }

        // The same floor as the deletion threshold: in a very small facility half the users is a handful.
        if (deletions > 10 && deletions * 2 > nonAdminUsers)
        {
            signs.Add(string.Create(CultureInfo.InvariantCulture, $"it leaves out more than half of the facility's {nonAdminUsers} non-admin users"));
        }

        return signs.Count == 0 ? null : string.Create(CultureInfo.InvariantCulture,
            $"{string.Join("; ", signs)}, and importing it would delete {deletions} user(s).");
    }

    /// <summary>
    /// The rows name their users in database order (Kolibri's export order) and every deleted user comes after the
    /// last of them: what an export cut short at a line boundary looks like, even when it deletes only a few users.
    /// </summary>
    private bool DeletesOnlyTheTail(HashSet<string> deletedUsers)
    {
        var position = new Dictionary<string, int>(snapshot.Users.Count, StringComparer.Ordinal);
        for (var i = 0; i < snapshot.Users.Count; i++)
        {
            position[snapshot.Users[i].Id] = i;
        }

        var last = -1;
        foreach (var (_, target) in validRows)
        {
            if (target is null)
            {
                continue;
            }

            if (position[target.Id] <= last)
            {
                return false;
            }

            last = position[target.Id];
        }

        return last >= 0 && deletedUsers.All(id => position[id] > last);
    }

    /// <summary>
    /// A cell that equals what Kolibri's export writes for the stored value is no change, even where the stored value
    /// still has the formula guard's apostrophe (Kolibri's own importer keeps it: '=SUM(A1) is exported as '=SUM(A1)).
    /// </summary>
    private static bool SameAsExported(string fromCsv, string stored, StringComparison comparison) =>
        string.Equals(fromCsv, stored, comparison)
        || string.Equals(fromCsv, CsvInjection.Unsanitize(CsvInjection.Sanitize(stored)), comparison);

    private void PlanExistingUser(ImportRow row, User user)
    {
        var before = changes.Count;
        var fields = new List<FieldChange>();
        if (row.Username != user.Username) fields.Add(new(UsersCsvFormat.Username, user.Username, row.Username));
        if (document.HasColumn(UsersCsvFormat.FullName) && !SameAsExported(row.FullName, user.FullName, StringComparison.Ordinal)) fields.Add(new(UsersCsvFormat.FullName, user.FullName, row.FullName));
        if (row.Identifier is { } identifier && !SameAsExported(identifier, user.Identifier, StringComparison.OrdinalIgnoreCase))
        {
            fields.Add(new(UsersCsvFormat.Identifier, user.Identifier, identifier));
        }

        if (row.BirthYear is { } birthYear && !SameDemographic(birthYear, user.BirthYear)) fields.Add(new(UsersCsvFormat.BirthYear, user.BirthYear, birthYear));
        if (row.Gender is { } gender && !SameDemographic(gender, user.Gender)) fields.Add(new(UsersCsvFormat.Gender, user.Gender, gender));

        var type = FinalType(row, user);
        if (document.HasColumn(UsersCsvFormat.UserType) && type != row.UserType)
        {
            Warn(row.Row, row.Username, ImportWarningIds.ImportingUserKeepsAdmin,
                $"'{user.Username}' is the admin running the import, so the row's user type {row.UserType} is not applied (the user stays ADMIN).");
        }

        if (type != user.Type) fields.Add(new(UsersCsvFormat.UserType, user.Type.ToString(), type.ToString()));
        if (document.HasColumn(UsersCsvFormat.Password) && !row.KeepsPassword) fields.Add(new(UsersCsvFormat.Password, null, null));

        if (fields.Count > 0)
        {
            Add(ImportAction.Update, ImportTarget.User, row.Username, row: row.Row, userId: user.Id, username: row.Username, fields: fields,
                description: $"Update user '{row.Username}': " + string.Join(", ", fields));
        }

        if (type != user.Type)
        {
            var newKind = RoleKinds.ForUserType(type);
            foreach (var kind in user.FacilityRoles.Where(k => k != newKind).Order(StringComparer.Ordinal))
            {
                AddRole(ImportAction.Remove, row.Row, user.Id, row.Username, kind);
            }

            if (newKind is not null && !user.FacilityRoles.Contains(newKind))
            {
                AddRole(ImportAction.Add, row.Row, user.Id, row.Username, newKind);
            }
        }

        if (row.EnrolledIn is { } enrolled)
        {
            DiffClasses(ImportTarget.Enrolment, row, user, user.Classes, enrolled);
        }

        if (type == UserType.LEARNER)
        {
            WarnIgnoredAssignments(row);
            if (row.AssignedTo is not null || type != user.Type) DiffClasses(ImportTarget.CoachAssignment, row, user, user.Coaches, []);
        }
        else if (row.AssignedTo is { } assigned)
        {
            DiffClasses(ImportTarget.CoachAssignment, row, user, user.Coaches, assigned);
        }

        if (changes.Count == before) unchanged++;
    }

    /// <summary>
    /// Adds and removes so that the user is in exactly the named classes. Names match case-insensitively; when the
    /// facility has several classes of one name, being in any of them satisfies the name (none is cleared or swapped).
    /// </summary>
    private void DiffClasses(ImportTarget kind, ImportRow row, User user, HashSet<string> current, IReadOnlyList<string> wantedNames)
    {
        var names = wantedNames.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var currentNames = current.Select(id => snapshot.ClassesById[id].Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var name in wantedNames.Distinct(StringComparer.OrdinalIgnoreCase).Where(n => !currentNames.Contains(n)))
        {
            AddMembership(kind, ImportAction.Add, row.Row, user.Id, row.Username, ClassOf(name));
        }

        foreach (var c in current.Select(id => snapshot.ClassesById[id]).Where(c => !names.Contains(c.Name)).OrderBy(c => c.Order))
        {
            AddMembership(kind, ImportAction.Remove, row.Row, user.Id, row.Username, (c.Id, c.Name));
        }
    }

    private static bool SameDemographic(string fromCsv, string stored) =>
        string.Equals(fromCsv, stored, StringComparison.OrdinalIgnoreCase)
        // Kolibri exports NOT_SPECIFIED and DEFERRED as empty cells: an empty cell leaves them as they are.
        || (fromCsv.Length == 0 && stored is Demographics.NotSpecified or Demographics.Deferred);

    private HashSet<string> PlanUserDeletions()
    {
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        if (options.NoDelete) return deleted;
        foreach (var user in snapshot.Users)
        {
            if (matcher.IsClaimed(user.Id) || matcher.IsProtected(user.Id) || user.IsAdmin || user.IsSuperuser || user.Id == options.ImportingUserId)
            {
                continue;
            }

            DeleteUser(user, deleted);
        }

        return deleted;
    }

    /// <summary>The users the edits delete (admins and superusers were refused when the edits were read).</summary>
    private HashSet<string> PlanNamedUserDeletions(IReadOnlyList<string> userIds)
    {
        var deleted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in userIds.Where(id => !matcher.IsClaimed(id)))
        {
            DeleteUser(snapshot.UsersById[id], deleted);
        }

        return deleted;
    }

    private void DeleteUser(User user, HashSet<string> deleted)
    {
        deleted.Add(user.Id);
        Add(ImportAction.Delete, ImportTarget.User, user.Username, userId: user.Id, username: user.Username, destructive: true,
            description: $"Delete user '{user.Username}' ({user.FullName}, {user.Type})");
        if (snapshot.ContentByCreator.TryGetValue(user.Id, out var count))
        {
            Warn(null, user.Username, ImportWarningIds.DeletedUserOwnsLessonsOrQuizzes,
                $"Deleting '{user.Username}' also deletes the {count.ToString(CultureInfo.InvariantCulture)} lesson(s) and quiz(zes) they created, as Kolibri does.");
        }
    }

    /// <summary>The classes the edits delete, as the import's -RemoveUnreferencedClasses does.</summary>
    private List<string> PlanNamedClassDeletions(IReadOnlyList<string> classIds)
    {
        var withContent = new List<string>();
        foreach (var c in classIds.Select(id => snapshot.ClassesById[id]))
        {
            var learners = snapshot.Users.Count(u => u.Classes.Contains(c.Id));
            var coaches = snapshot.Users.Count(u => u.Coaches.Contains(c.Id));
            DeleteClass(c, learners, coaches, withContent);
        }

        return withContent;
    }

    private void DeleteClass(FacilitySnapshot.Class c, int learners, int coaches, List<string> withContent)
    {
        if (c.Lessons + c.Quizzes > 0) withContent.Add(c.Name);
        Add(ImportAction.Delete, ImportTarget.Class, c.Name, className: c.Name, classId: c.Id, destructive: true,
            description: string.Create(CultureInfo.InvariantCulture,
                $"Delete class '{c.Name}' ({learners} learner(s), {coaches} coach(es), {c.Lessons} lesson(s), {c.Quizzes} quiz(zes))"));
    }

    private List<string> PlanUnreferencedClasses(HashSet<string> deletedUsers)
    {
        var withContent = new List<string>();
        if (options.NoDelete || !(document.HasColumn(UsersCsvFormat.EnrolledIn) || document.HasColumn(UsersCsvFormat.AssignedTo)))
        {
            return withContent;
        }

        var unreferenced = snapshot.Classes.Where(c => !referencedClassNames.Contains(c.Name)).ToList();
        if (unreferenced.Count == 0)
        {
            return withContent;
        }

        // One pass over the users for all unreferenced classes: learners, coaches, and who would be cleared out.
        var learnersOf = unreferenced.ToDictionary(c => c.Id, _ => 0, StringComparer.Ordinal);
        var coachesOf = unreferenced.ToDictionary(c => c.Id, _ => 0, StringComparer.Ordinal);
        var affectedOf = unreferenced.ToDictionary(c => c.Id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var u in snapshot.Users)
        {
            var touched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in u.Classes.Where(learnersOf.ContainsKey)) { learnersOf[id]++; touched.Add(id); }
            foreach (var id in u.Coaches.Where(coachesOf.ContainsKey)) { coachesOf[id]++; touched.Add(id); }
            foreach (var id in u.Groups.Select(g => snapshot.GroupClass[g]).Where(affectedOf.ContainsKey)) touched.Add(id);
            if (matcher.IsProtected(u.Id) || deletedUsers.Contains(u.Id)) continue;
            foreach (var id in touched) affectedOf[id].Add(u.Id);
        }

        foreach (var c in unreferenced)
        {
            var learners = learnersOf[c.Id];
            var coaches = coachesOf[c.Id];
            if (options.RemoveUnreferencedClasses)
            {
                DeleteClass(c, learners, coaches, withContent);
                continue;
            }

            var affected = affectedOf[c.Id];
            if (affected.Count > 0)
            {
                Add(ImportAction.Clear, ImportTarget.Class, c.Name, className: c.Name, classId: c.Id, destructive: true, affected: affected,
                    description: string.Create(CultureInfo.InvariantCulture,
                        $"Clear class '{c.Name}' (no row names it: remove its {affected.Count} learner(s) and coach(es); the class, its lessons and quizzes stay)"));
            }
        }

        return withContent;
    }

    private void AddRole(ImportAction action, int row, string? userId, string username, string kind) =>
        Add(action, ImportTarget.Role, username, row: row, userId: userId, username: username, roleKind: kind, destructive: action == ImportAction.Remove,
            description: action == ImportAction.Add
                ? $"Give '{username}' the facility role '{kind}'"
                : $"Remove the facility role '{kind}' from '{username}'");

    private void AddMembership(ImportTarget kind, ImportAction action, int row, string? userId, string username, (string? Id, string Name) c)
    {
        var description = (kind, action) switch
        {
            (ImportTarget.Enrolment, ImportAction.Add) => $"Enrol '{username}' in class '{c.Name}'",
            (ImportTarget.Enrolment, _) => $"Remove '{username}' from class '{c.Name}'",
            (_, ImportAction.Add) => $"Assign '{username}' as coach of class '{c.Name}'",
            _ => $"Remove '{username}' as coach of class '{c.Name}'",
        };
        Add(action, kind, username, row: row, userId: userId, username: username, className: c.Name, classId: c.Id,
            roleKind: kind == ImportTarget.CoachAssignment ? RoleKinds.Coach : null, destructive: action == ImportAction.Remove, description: description);
    }

    private void Add(ImportAction action, ImportTarget kind, string target, string description, int? row = null, string? userId = null, string? username = null,
        string? className = null, string? classId = null, string? roleKind = null, IReadOnlyList<FieldChange>? fields = null, bool destructive = false,
        IReadOnlyList<string>? affected = null) =>
        changes.Add(new ImportChange
        {
            Id = changes.Count + 1,
            Action = action,
            Kind = kind,
            Target = target,
            Row = row,
            UserId = userId,
            Username = username,
            ClassName = className,
            ClassId = classId,
            RoleKind = roleKind,
            Fields = fields ?? [],
            IsDestructive = destructive,
            AffectedUserIds = affected ?? [],
            Description = description,
        });
}
