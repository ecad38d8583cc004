using System.Data.Common;
using System.Text;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;

namespace KolibriFacility.Core.Users;

/// <summary>
/// Streams a facility's users with their type, classes and superuser flag, in Kolibri's database order
/// (the order Kolibri's own export uses). One SQL statement, read row by row. Class lists are ordered by class id
/// (as Kolibri's GROUP_CONCAT over the membership index comes out); ordering by the membership's or role's own
/// collection_id lets SQLite walk the (user_id, collection_id) indexes instead of sorting per user.
/// </summary>
public sealed class UserReader(KolibriDatabase database)
{
    private const char Separator = '\u001f';

    public IEnumerable<FacilityUser> Read(Facility facility, UserQuery? query = null)
    {
        query ??= UserQuery.All;
        using var command = database.Command("");
        var dialect = database.Dialect;
        var sql = new StringBuilder($"""
            SELECT u.id, u.username, u.full_name, u.id_number, u.birth_year, u.gender, u.date_joined, u.last_login,
                   u.dataset_id, u.password = 'NOT_SPECIFIED' OR u.password = '' AS no_password,
                   (SELECT {dialect.JoinWithUnitSeparator("r.kind")} FROM kolibriauth_role r
                     WHERE r.user_id = u.id AND r.collection_id = u.facility_id) AS facility_roles,
                   (SELECT {dialect.JoinWithUnitSeparator("e.name")} FROM (
                        SELECT c.name FROM kolibriauth_membership m JOIN kolibriauth_collection c ON c.id = m.collection_id
                        WHERE m.user_id = u.id AND c.kind = 'classroom' ORDER BY {dialect.ClassOrder("m.collection_id", "c")}) e) AS enrolled,
                   (SELECT {dialect.JoinWithUnitSeparator("a.name")} FROM (
                        SELECT c.name FROM kolibriauth_role r JOIN kolibriauth_collection c ON c.id = r.collection_id
                        WHERE r.user_id = u.id AND r.kind = 'coach' AND c.kind = 'classroom' ORDER BY {dialect.ClassOrder("r.collection_id", "c")}) a) AS assigned,
                   COALESCE((SELECT p.is_superuser FROM device_devicepermissions p WHERE p.user_id = u.id), FALSE) AS superuser
            FROM kolibriauth_facilityuser u
            WHERE u.facility_id = $facility
            """);
        command.Parameters.AddWithValue("$facility", facility.Id);

        if (query.ClassIds is { } classIds)
        {
            sql.Append(" AND (u.id IN (SELECT m.user_id FROM kolibriauth_membership m WHERE m.collection_id IN (")
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
                sql.Append(" AND ").Append(fold).Append("(u.username) IN (").Append(SqlParameters.InList(command, "n", usernames.Select(UsernameComparer.Fold))).Append(')');
            }
            else
            {
                foldedNames = usernames.Select(UsernameComparer.Fold).ToHashSet(StringComparer.Ordinal);
            }
        }

        sql.Append(" ORDER BY ").Append(dialect.RowOrder("u"));
        command.CommandText = sql.ToString();

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

    private static string[] Split(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? [] : reader.GetString(ordinal).Split(Separator);
}
