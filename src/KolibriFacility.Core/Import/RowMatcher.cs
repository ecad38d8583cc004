using System.Globalization;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using User = KolibriFacility.Core.Import.FacilitySnapshot.User;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Decides which user each valid row of a users CSV is for (by UUID, else by username), refuses the rows that cannot
/// be applied against this facility (planning errors), and protects the users of invalid rows: such a user is never
/// changed or deleted, and no other row of the file may apply to them either.
/// </summary>
internal sealed class RowMatcher(FacilitySnapshot snapshot, UsersCsvDocument document, List<ImportError> errors, List<ImportWarning> warnings)
{
    private readonly HashSet<string> protectedUsers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> claimedUsers = new(StringComparer.Ordinal);
    private readonly List<(ImportRow Row, User? Target)> validRows = [];
    private readonly List<ImportRow> rejectedByPlanner = [];

    /// <summary>The valid rows of the document refused here (with an error each), in file order.</summary>
    public IReadOnlyList<ImportRow> RejectedByPlanner => rejectedByPlanner;

    public bool IsProtected(string userId) => protectedUsers.Contains(userId);

    /// <summary>Whether a row that is applied names this user.</summary>
    public bool IsClaimed(string userId) => claimedUsers.ContainsKey(userId);

    /// <summary>The rows to apply, each with the user it updates (null: a new user).</summary>
    public IReadOnlyList<(ImportRow Row, User? Target)> Match()
    {
        ProtectUsersOfRejectedRows();
        foreach (var row in document.Rows)
        {
            Resolve(row);
        }

        // A later invalid row can protect a user an earlier valid row addresses: that row is not applied either.
        foreach (var (row, target) in validRows.Where(v => v.Target is not null && protectedUsers.Contains(v.Target.Id)))
        {
            Warn(row.Row, row.Username, ImportWarningIds.InvalidRowUserProtected,
                $"User '{target!.Username}' also has an invalid row, so this row is not applied.");
        }

        validRows.RemoveAll(v => v.Target is not null && protectedUsers.Contains(v.Target.Id));
        return validRows;
    }

    private void ProtectUsersOfRejectedRows()
    {
        foreach (var rejected in document.Rejected)
        {
            ProtectUserOf(rejected.Uuid, rejected.Username, rejected.Row);
        }
    }

    /// <summary>The user a row is meant for: the one its UUID names, else the one(s) with its username.</summary>
    private void ProtectUserOf(string? uuid, string? username, int row)
    {
        if (uuid is not null && snapshot.UsersById.TryGetValue(uuid, out var byId))
        {
            Protect(byId, row);
        }
        else if (username is not null && snapshot.UsersByName.TryGetValue(username, out var byName))
        {
            foreach (var user in byName) Protect(user, row);
        }
    }

    private void Protect(User user, int row)
    {
        if (protectedUsers.Add(user.Id))
        {
            Warn(row, user.Username, ImportWarningIds.InvalidRowUserProtected,
                $"Row {row.ToString(CultureInfo.InvariantCulture)} is invalid, so user '{user.Username}' is left unchanged and is not deleted.");
        }
    }

    private void Resolve(ImportRow row)
    {
        User? target = null;
        if (row.Uuid is { } uuid)
        {
            if (snapshot.UsersById.TryGetValue(uuid, out var byId))
            {
                target = byId;
            }
            else if (snapshot.OtherFacilityUserIds.Contains(uuid))
            {
                Fail(row, UsersCsvFormat.Uuid, uuid, ImportErrorIds.UserNotInFacility,
                    $"The database ID '{uuid}' belongs to a user of another facility, not '{snapshot.Facility.Name}'; users cannot be moved between facilities. Leave the UUID cell empty to create a new user.");
                return;
            }
            else
            {
                if (!TryFindByName(row, out target)) return;
                Warn(row.Row, row.Username, target is null ? ImportWarningIds.UnknownUuidCreatesUser : ImportWarningIds.UnknownUuidMatchedByUsername,
                    target is null
                        ? $"No user has the database ID '{uuid}'; a new user '{row.Username}' is created (with a new ID)."
                        : $"No user has the database ID '{uuid}'; the row updates the user named '{target.Username}'.");
            }
        }
        else if (!TryFindByName(row, out target))
        {
            return;
        }

        if (target is not null)
        {
            if (protectedUsers.Contains(target.Id))
            {
                Warn(row.Row, row.Username, ImportWarningIds.InvalidRowUserProtected,
                    $"User '{target.Username}' also has an invalid row, so this row is not applied.");
                return;
            }

            if (claimedUsers.TryGetValue(target.Id, out var earlier))
            {
                Fail(row, row.Uuid is null ? UsersCsvFormat.Username : UsersCsvFormat.Uuid, row.Uuid ?? row.Username, ImportErrorIds.UuidDuplicated,
                    $"Row {earlier.ToString(CultureInfo.InvariantCulture)} already updates user '{target.Username}'; a user can have only one row.");
                return;
            }

            if (!UsernameComparer.Instance.Equals(row.Username, target.Username)
                && (snapshot.UsersByName.TryGetValue(row.Username, out var others) && others.Any(o => o.Id != target.Id)))
            {
                Fail(row, UsersCsvFormat.Username, row.Username, ImportErrorIds.UsernameTaken,
                    $"User '{target.Username}' cannot be renamed to '{row.Username}': another user of the facility already has that username (usernames are unique ignoring case).");
                return;
            }
        }

        // A missing PASSWORD column means "*" too.
        if (target is null && (row.KeepsPassword || !document.HasColumn(UsersCsvFormat.Password)))
        {
            Fail(row, UsersCsvFormat.Password, row.Password, ImportErrorIds.NewUserNeedsPassword,
                $"'{row.Username}' is a new user and needs a password; '*' (keep the password) only works for existing users.");
            return;
        }

        if (target is not null) claimedUsers[target.Id] = row.Row;
        validRows.Add((row, target));
    }

    private bool TryFindByName(ImportRow row, out User? target)
    {
        target = null;
        if (!snapshot.UsersByName.TryGetValue(row.Username, out var candidates))
        {
            return true;
        }

        if (candidates.Count == 1)
        {
            target = candidates[0];
            return true;
        }

        var exact = candidates.Where(c => c.Username == row.Username).ToList();
        if (exact.Count == 1)
        {
            target = exact[0];
            return true;
        }

        Fail(row, UsersCsvFormat.Username, row.Username, ImportErrorIds.UsernameTaken,
            $"{candidates.Count.ToString(CultureInfo.InvariantCulture)} users of the facility are named '{row.Username}' (ignoring case); put the user's database ID in the UUID cell to choose one.");
        return false;
    }

    private void Fail(ImportRow row, string column, string? value, string errorId, string message)
    {
        ProtectUserOf(row.Uuid, row.Username, row.Row);
        rejectedByPlanner.Add(row);
        errors.Add(new ImportError { Row = row.Row, Line = row.Line, Column = column, Value = value, Message = message, ErrorId = errorId, Username = row.Username });
    }

    private void Warn(int? row, string? username, string id, string message) =>
        warnings.Add(new ImportWarning { Row = row, Username = username, WarningId = id, Message = message });
}
