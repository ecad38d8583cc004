using System.Data.Common;
using System.Text;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;

namespace KolibriFacility.Core.Users;

/// <summary>
/// Streams a facility's users with their type, classes and superuser flag, in Kolibri's database order
/// (the order Kolibri's own export uses). One SQL statement, read row by row. Roles and memberships are aggregated
/// once per user in derived tables and left-joined, so both engines do it set-based (correlated subqueries per user
/// cost PostgreSQL some 0.9 s for 20,000 users). Class lists are ordered as Kolibri's export gives them on each
/// engine (<see cref="SqlDialect.ClassOrder"/>).
/// </summary>
public sealed class UserReader(KolibriDatabase database)
{
    private const char Separator = '\u001f';

    public IEnumerable<FacilityUser> Read(Facility facility, UserQuery? query = null)
    {
        query ??= UserQuery.All;
        using var command = database.Command("");
        command.Parameters.AddWithValue("$facility", facility.Id);

        var filter = new StringBuilder();
        if (query.ClassIds is { } classIds)
        {
            filter.Append(" AND (u.id IN (SELECT m.user_id FROM kolibriauth_membership m WHERE m.collection_id IN (")
                  .Append(SqlParameters.InList(command, "c", classIds))
                  .Append(")) OR u.id IN (SELECT r.user_id FROM kolibriauth_role r WHERE r.kind = 'coach' AND r.collection_id IN (")
                  .Append(SqlParameters.InList(command, "k", classIds))
                  .Append(")))");
        }

        // SQLite's lower() folds ASCII only; Kolibri compares usernames in Python, which folds every script. Where the
        // engine cannot call the folding (PostgreSQL), the rows read are filtered here instead.
        HashSet<string>? foldedNames = null;
        if (query.Usernames is { } usernames)
        {
            if (database.UsernameFoldFunction() is { } fold)
            {
                filter.Append(" AND ").Append(fold).Append("(u.username) IN (").Append(SqlParameters.InList(command, "n", usernames.Select(UsernameComparer.Fold))).Append(')');
            }
            else
            {
                foldedNames = usernames.Select(UsernameComparer.Fold).ToHashSet(StringComparer.Ordinal);
            }
        }

        command.CommandText = UsersSql(database.Dialect, filter.ToString());
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (foldedNames is not null && !foldedNames.Contains(UsernameComparer.Fold(reader.GetString(1))))
            {
                continue;
            }

            yield return new FacilityUser
            {
                Id = reader.GetString(0),
                Username = reader.GetString(1),
                FullName = reader.GetString(2),
                Identifier = reader.GetString(3),
                BirthYear = reader.GetString(4),
                Gender = reader.GetString(5),
                DateJoined = KolibriTimestamp.Parse(reader.IsDBNull(6) ? null : reader.GetString(6)),
                LastLogin = KolibriTimestamp.ParseDjangoUtc(reader.IsDBNull(7) ? null : reader.GetString(7)),
                DatasetId = reader.GetString(8),
                HasPassword = !reader.GetBoolean(9),
                Type = RoleKinds.ToUserType(Split(reader, 10)),
                EnrolledIn = new(Split(reader, 11)),
                AssignedTo = new(Split(reader, 12)),
                IsSuperuser = reader.GetBoolean(13),
                Facility = facility.Name,
                FacilityId = facility.Id,
                Database = database.Path,
            };
        }
    }

    /// <summary>
    /// The users query. <paramref name="userFilter"/> is more conditions on the user <c>u</c> (" AND ..."); when there
    /// are any, the users they choose are found once (<c>chosen</c>) and the aggregates take only theirs, so that a few
    /// users are not read with every user's classes.
    /// </summary>
    private static string UsersSql(SqlDialect dialect, string userFilter)
    {
        // A class's users are of its facility (Kolibri checks that a membership's or role's user and collection share
        // the facility's dataset), so the facility's classes select its users' memberships and coach roles. Kept off
        // the parent index, SQLite walks the (user_id, collection_id) indexes in user order and groups without sorting.
        var classOfFacility = dialect.Unindexed("c.parent_id") + " = $facility";
        var filtered = userFilter.Length > 0;
        var with = filtered ? $"WITH chosen {dialect.MaterializedAs} (SELECT u.id FROM kolibriauth_facilityuser u WHERE u.facility_id = $facility{userFilter})" : "";
        string Chosen(string userColumn) => filtered ? $" AND {userColumn} IN (SELECT id FROM chosen)" : "";
        var users = filtered ? "u.id IN (SELECT id FROM chosen)" : "u.facility_id = $facility";

        return $"""
            {with}
            SELECT u.id, u.username, u.full_name, u.id_number, u.birth_year, u.gender, u.date_joined, u.last_login,
                   u.dataset_id, u.password = 'NOT_SPECIFIED' OR u.password = '' AS no_password,
                   fr.kinds AS facility_roles, en.names AS enrolled, asg.names AS assigned,
                   COALESCE(p.is_superuser, FALSE) AS superuser
            FROM kolibriauth_facilityuser u
            LEFT JOIN (
                SELECT r.user_id, {dialect.JoinWithUnitSeparator("r.kind")} AS kinds FROM kolibriauth_role r
                WHERE r.collection_id = $facility{Chosen("r.user_id")} GROUP BY r.user_id) fr ON fr.user_id = u.id
            LEFT JOIN (
                SELECT m.user_id, {dialect.JoinWithUnitSeparator("c.name", dialect.ClassOrder("m.collection_id", "c"))} AS names
                FROM kolibriauth_membership m JOIN kolibriauth_collection c ON c.id = m.collection_id
                WHERE c.kind = 'classroom' AND {classOfFacility}{Chosen("m.user_id")} GROUP BY m.user_id) en ON en.user_id = u.id
            LEFT JOIN (
                SELECT r.user_id, {dialect.JoinWithUnitSeparator("c.name", dialect.ClassOrder("r.collection_id", "c"))} AS names
                FROM kolibriauth_role r JOIN kolibriauth_collection c ON c.id = r.collection_id
                WHERE r.kind = 'coach' AND c.kind = 'classroom' AND {classOfFacility}{Chosen("r.user_id")} GROUP BY r.user_id) asg ON asg.user_id = u.id
            LEFT JOIN device_devicepermissions p ON p.user_id = u.id
            WHERE {users}
            ORDER BY {dialect.RowOrder("u")}
            """;
    }

    private static string[] Split(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetString(ordinal).Split(Separator);
}
