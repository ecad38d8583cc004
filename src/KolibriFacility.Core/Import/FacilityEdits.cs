using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using User = KolibriFacility.Core.Import.FacilitySnapshot.User;

namespace KolibriFacility.Core.Import;

public enum UserEditAction
{
    Create,
    Update,
    Delete,
}

/// <summary>
/// One user to create, change or delete. A null attribute is left as it is (partial update); the class lists add to
/// and remove from the user's current classes. The user is found by <see cref="Id"/>, else by <see cref="Username"/>.
/// </summary>
public sealed record UserEdit
{
    public required UserEditAction Action { get; init; }

    /// <summary>The user's database id (from a FacilityUser object), or null to find the user by username.</summary>
    public string? Id { get; init; }

    /// <summary>The new user's username, or the username that finds the user to change or delete.</summary>
    public string? Username { get; init; }

    public string? NewUsername { get; init; }
    public string? FullName { get; init; }
    public UserType? UserType { get; init; }

    /// <summary>The clear-text password to set; never shown, never in a plan (the plan says "PASSWORD changed").</summary>
    public string? Password { get; init; }

    public string? Identifier { get; init; }
    public string? BirthYear { get; init; }
    public string? Gender { get; init; }
    public IReadOnlyList<string> EnrolIn { get; init; } = [];
    public IReadOnlyList<string> LeaveClasses { get; init; } = [];
    public IReadOnlyList<string> AssignTo { get; init; } = [];
    public IReadOnlyList<string> UnassignFrom { get; init; } = [];

    /// <summary>Without the password: edits are shown and logged.</summary>
    public override string ToString() => $"{Action} user '{Username ?? Id}'";

    internal string Canonical() => string.Join('\u001f', Action, Id, Username, NewUsername, FullName, UserType, Password is null ? "" : "password set",
        Identifier, BirthYear, Gender, string.Join('\u001e', EnrolIn), string.Join('\u001e', LeaveClasses), string.Join('\u001e', AssignTo),
        string.Join('\u001e', UnassignFrom));
}

public enum ClassEditAction
{
    Create,
    Rename,
    Delete,
}

/// <summary>One class to create, rename or delete; found by <see cref="Id"/>, else by <see cref="Name"/>.</summary>
public sealed record ClassEdit
{
    public required ClassEditAction Action { get; init; }
    public string? Id { get; init; }
    public string? Name { get; init; }
    public string? NewName { get; init; }

    public override string ToString() => $"{Action} class '{Name ?? Id}'";

    internal string Canonical() => string.Join('\u001f', Action, Id, Name, NewName);
}

/// <summary>
/// The edits of the user and class cmdlets as a plan source: each user edit becomes a users CSV row (the user's
/// current values fill what the edit leaves out), checked by the same row rules and planned by the same planner as
/// an import; what a row cannot say (deleting a user, creating, renaming or deleting a class) goes beside the rows.
/// Nothing the edits do not name is deleted or cleared. Rows are numbered in edit order (user edits, then class edits).
/// </summary>
public sealed class FacilityEdits : PlanSource
{
    private static readonly string[] RowColumns = [UsersCsvFormat.Uuid, UsersCsvFormat.Username, UsersCsvFormat.Password, UsersCsvFormat.FullName, UsersCsvFormat.UserType];

    public List<UserEdit> Users { get; } = [];

    public List<ClassEdit> Classes { get; } = [];

    public bool IsEmpty => Users.Count == 0 && Classes.Count == 0;

    public override string Sha256 =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', Users.Select(u => u.Canonical()).Concat(Classes.Select(c => c.Canonical())))))).ToLowerInvariant();

    internal override string Noun => "The edits";

    internal override string? PasswordOf(int row) => row >= 1 && row <= Users.Count ? Users[row - 1].Password : null;

    internal override PlanInput Input(FacilitySnapshot snapshot) => new Materializer(this, snapshot).Run();

    private sealed class Materializer(FacilityEdits edits, FacilitySnapshot snapshot)
    {
        private readonly UsersCsvRowValidator validator = new(UsersCsvHeader.Parse(UsersCsvFormat.Columns, new UsersCsvReadOptions()), ClassList.Separator, DateTime.UtcNow.Year);
        private readonly List<ImportRow> rows = [];
        private readonly List<RejectedRow> rejected = [];
        private readonly List<ImportError> rowErrors = [];
        private readonly List<ImportError> errors = [];
        private readonly List<string> createClasses = [];
        private readonly List<(string, string)> renameClasses = [];
        private readonly List<string> deleteClasses = [];
        private readonly List<string> deleteUsers = [];

        public PlanInput Run()
        {
            for (var i = 0; i < edits.Classes.Count; i++)
            {
                PlanClass(edits.Users.Count + i + 1, edits.Classes[i]);
            }

            for (var i = 0; i < edits.Users.Count; i++)
            {
                PlanUser(i + 1, edits.Users[i]);
            }

            var document = new UsersCsvDocument
            {
                Sha256 = edits.Sha256,
                Columns = RowColumns,
                Headers = RowColumns,
                Rows = rows,
                Rejected = rejected,
                Errors = rowErrors,
            };
            return new PlanInput(document, new PlanEdits
            {
                CreateClasses = createClasses,
                RenameClasses = renameClasses,
                DeleteClasses = deleteClasses,
                DeleteUsers = deleteUsers,
                Errors = errors,
            });
        }

        private void PlanClass(int row, ClassEdit edit)
        {
            if (edit.Action == ClassEditAction.Create)
            {
                if (CheckNewName(row, edit.Name, null) is { } name) createClasses.Add(name);
                return;
            }

            if (FindClass(row, edit.Id, edit.Name) is not { } found) return;
            if (edit.Action == ClassEditAction.Delete)
            {
                if (!deleteClasses.Contains(found.Id)) deleteClasses.Add(found.Id);
            }
            else if (CheckNewName(row, edit.NewName, found) is { } newName && newName != found.Name)
            {
                renameClasses.Add((found.Id, newName));
            }
        }

        /// <summary>Kolibri's rules for a class name: required, at most 50 characters, unique in the facility ignoring case.</summary>
        private string? CheckNewName(int row, string? value, FacilitySnapshot.Class? renamed)
        {
            var name = (value ?? "").Trim();
            if (name.Length == 0)
            {
                Fail(row, name, null, ImportErrorIds.ClassNameRequired, "The class name is required.");
                return null;
            }

            var length = name.EnumerateRunes().Count();
            if (length > UsersCsvLimits.ClassNameMaxLength)
            {
                Fail(row, name, null, ImportErrorIds.ClassNameTooLong,
                    $"The class name '{name}' has {length} characters; Kolibri allows at most {UsersCsvLimits.ClassNameMaxLength}.");
                return null;
            }

            var taken = snapshot.Classes.Any(c => c.Id != renamed?.Id && string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase))
                || createClasses.Contains(name, StringComparer.OrdinalIgnoreCase)
                || renameClasses.Any(r => string.Equals(r.Item2, name, StringComparison.OrdinalIgnoreCase));
            if (taken)
            {
                Fail(row, name, null, ImportErrorIds.ClassNameTaken,
                    $"The facility already has a class named '{name}' (class names are unique in a facility, ignoring case).");
                return null;
            }

            return name;
        }

        private FacilitySnapshot.Class? FindClass(int row, string? id, string? name)
        {
            if (id is not null && snapshot.ClassesById.TryGetValue(id, out var byId)) return byId;
            if (id is null && name is not null && (snapshot.ClassesByName.TryGetValue(name.Trim(), out var byName) || snapshot.ClassesById.TryGetValue(name.Trim(), out byName))) return byName;
            Fail(row, id ?? name, null, ImportErrorIds.ClassNotFound, $"The facility '{snapshot.Facility.Name}' has no class '{name ?? id}'.");
            return null;
        }

        private void PlanUser(int row, UserEdit edit)
        {
            if (edit.Action == UserEditAction.Create)
            {
                if (edit.Username is { } name && snapshot.UsersByName.TryGetValue(name.Trim(), out var existing))
                {
                    Fail(row, name, name, ImportErrorIds.UsernameTaken,
                        $"The facility already has a user named '{existing[0].Username}' (usernames are unique ignoring case); use Set-FacilityUser to change that user.");
                    return;
                }

                Validate(row, edit, null, new Dictionary<string, string>(StringComparer.Ordinal)
                {
                    [UsersCsvFormat.Username] = edit.Username ?? "",
                    [UsersCsvFormat.FullName] = edit.FullName ?? "",
                    [UsersCsvFormat.UserType] = (edit.UserType ?? UserType.LEARNER).ToString(),
                    [UsersCsvFormat.Password] = edit.Password ?? "",
                });
                return;
            }

            if (FindUser(row, edit) is not { } user) return;
            if (edit.Action == UserEditAction.Delete)
            {
                if (user.IsAdmin || user.IsSuperuser)
                {
                    // The import never deletes them either: the facility must keep the people who can run it.
                    Fail(row, user.Username, user.Username, ImportErrorIds.UserProtected,
                        $"'{user.Username}' is a facility admin or a superuser, and those are never deleted (as by the import). Change the user type first.");
                }
                else if (!deleteUsers.Contains(user.Id))
                {
                    deleteUsers.Add(user.Id);
                }

                return;
            }

            Validate(row, edit, user, new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [UsersCsvFormat.Uuid] = user.Id,
                [UsersCsvFormat.Username] = edit.NewUsername ?? user.Username,
                [UsersCsvFormat.FullName] = edit.FullName ?? user.FullName,
                [UsersCsvFormat.UserType] = (edit.UserType ?? user.Type).ToString(),
                [UsersCsvFormat.Password] = edit.Password ?? UsersCsvFormat.KeepPassword,
            });
        }

        private User? FindUser(int row, UserEdit edit)
        {
            if (edit.Id is { } id)
            {
                var uuid = UsersCsvRowValidator.NormaliseUuid(id) ?? id;
                if (snapshot.UsersById.TryGetValue(uuid, out var byId)) return byId;
                if (snapshot.OtherFacilityUserIds.Contains(uuid))
                {
                    Fail(row, id, edit.Username, ImportErrorIds.UserNotInFacility,
                        $"The user '{edit.Username ?? id}' belongs to another facility, not '{snapshot.Facility.Name}'.");
                    return null;
                }
            }
            else if (edit.Username is { } name && snapshot.UsersByName.TryGetValue(name.Trim(), out var candidates))
            {
                var exact = candidates.Count == 1 ? candidates : candidates.Where(c => c.Username == name.Trim()).ToList();
                if (exact.Count == 1) return exact[0];
                Fail(row, name, name, ImportErrorIds.UsernameTaken,
                    $"{candidates.Count.ToString(CultureInfo.InvariantCulture)} users of the facility are named '{name}' (ignoring case); pass the user object (Get-FacilityUser) to choose one.");
                return null;
            }

            Fail(row, edit.Id ?? edit.Username, edit.Username, ImportErrorIds.UserNotFound,
                $"The facility '{snapshot.Facility.Name}' has no user '{edit.Username ?? edit.Id}'.");
            return null;
        }

        private void Validate(int row, UserEdit edit, User? user, Dictionary<string, string> cells)
        {
            if (edit.Identifier is { } identifier) cells[UsersCsvFormat.Identifier] = identifier;
            if (edit.BirthYear is { } birthYear) cells[UsersCsvFormat.BirthYear] = birthYear;
            if (edit.Gender is { } gender) cells[UsersCsvFormat.Gender] = gender;
            var before = errors.Count;
            // Class lists are set on the row, not written into a cell: a class name may hold the list's comma.
            var enrolled = Classes(row, edit.Username ?? user?.Username, user?.Classes, edit.EnrolIn, edit.LeaveClasses);
            var assigned = Classes(row, edit.Username ?? user?.Username, user?.Coaches, edit.AssignTo, edit.UnassignFrom);
            var outcome = validator.Validate(row, cells);
            if (outcome.Rejected is { } bad)
            {
                rejected.Add(bad);
                rowErrors.AddRange(bad.Errors);
            }
            else if (errors.Count == before)
            {
                rows.Add(outcome.Row! with { EnrolledIn = enrolled, AssignedTo = assigned });
            }
        }

        /// <summary>The user's classes after the edit, by name; null when the edit leaves them as they are.</summary>
        private List<string>? Classes(int row, string? username, HashSet<string>? current, IReadOnlyList<string> add, IReadOnlyList<string> remove)
        {
            if (add.Count == 0 && remove.Count == 0) return null;
            foreach (var name in add.Concat(remove).Where(n => !snapshot.ClassesByName.ContainsKey(n.Trim()) && !createClasses.Contains(n.Trim(), StringComparer.OrdinalIgnoreCase)))
            {
                Fail(row, name, username, ImportErrorIds.ClassNotFound, $"The facility '{snapshot.Facility.Name}' has no class '{name}'.");
            }

            var names = (current ?? []).Select(id => snapshot.ClassesById[id].Name).ToList();
            names.AddRange(add.Select(n => snapshot.ClassesByName.TryGetValue(n.Trim(), out var c) ? c.Name : n.Trim()));
            return names
                .Where(n => !remove.Any(r => string.Equals(r.Trim(), n, StringComparison.OrdinalIgnoreCase)))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
        }

        private void Fail(int row, string? value, string? username, string errorId, string message) =>
            errors.Add(new ImportError { Row = row, Value = value, Username = username, ErrorId = errorId, Message = message });
    }
}
