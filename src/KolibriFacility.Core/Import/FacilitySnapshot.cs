using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using System.Data.Common;

namespace KolibriFacility.Core.Import;

/// <summary>
/// The facility's users, classes, memberships and roles, loaded with a handful of queries into in-memory indexes
/// that the planner works on (no per-row queries), and the fingerprint of that state.
/// </summary>
internal sealed class FacilitySnapshot
{
    internal sealed class User
    {
        public required string Id { get; init; }
        public required string Username { get; init; }
        public required string FullName { get; init; }
        public required string Identifier { get; init; }
        public required string BirthYear { get; init; }
        public required string Gender { get; init; }
        public required string DateJoined { get; init; }
        public bool IsSuperuser { get; init; }
        public HashSet<string> FacilityRoles { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Classes { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Coaches { get; } = new(StringComparer.Ordinal);
        public HashSet<string> Groups { get; } = new(StringComparer.Ordinal);
        public UserType Type => RoleKinds.ToUserType(FacilityRoles);
        public bool IsAdmin => FacilityRoles.Contains(RoleKinds.Admin);
    }

    internal sealed record Class(string Id, string Name, int Order)
    {
        public int Lessons { get; set; }
        public int Quizzes { get; set; }
    }

    public required Facility Facility { get; init; }
    public List<User> Users { get; } = [];
    public Dictionary<string, User> UsersById { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, List<User>> UsersByName { get; } = new(UsernameComparer.Instance);
    public HashSet<string> OtherFacilityUserIds { get; } = new(StringComparer.Ordinal);
    public List<Class> Classes { get; } = [];
    public Dictionary<string, Class> ClassesById { get; } = new(StringComparer.Ordinal);
    public Dictionary<string, Class> ClassesByName { get; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Learner group id -> its classroom id.</summary>
    public Dictionary<string, string> GroupClass { get; } = new(StringComparer.Ordinal);
    /// <summary>User id -> number of lessons and quizzes they created (deleting the user cascades to them in Kolibri).</summary>
    public Dictionary<string, int> ContentByCreator { get; } = new(StringComparer.Ordinal);
    public string TimeZone { get; private set; } = "UTC";
    public required FacilityFingerprint Fingerprint { get; init; }

    public static FacilitySnapshot Load(KolibriDatabase database, DbTransaction? transaction, Facility facility)
    {
        var users = new List<string>();
        var classes = new List<string>();
        var memberships = new List<string>();
        var roles = new List<string>();
        var userRows = new Dictionary<string, string>(StringComparer.Ordinal);
        var userMemberships = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var userRoles = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var classRows = new Dictionary<string, string>(StringComparer.Ordinal);

        var loaded = new List<User>();
        string? lastJoined = null;
        Read(database, transaction, facility, $"""
            SELECT u.id, u.username, u.full_name, u.id_number, u.birth_year, u.gender, u.password, u.date_joined,
                   COALESCE(p.is_superuser, FALSE) AS superuser, u.dataset_id, COALESCE(u.extra_demographics, '')
            FROM kolibriauth_facilityuser u LEFT JOIN device_devicepermissions p ON p.user_id = u.id
            WHERE u.facility_id = $facility ORDER BY {database.Dialect.RowOrder("u")}
            """, r =>
        {
            var user = new User
            {
                Id = r.GetString(0), Username = r.GetString(1), FullName = r.GetString(2), Identifier = r.GetString(3),
                BirthYear = r.GetString(4), Gender = r.GetString(5), DateJoined = r.IsDBNull(7) ? "" : r.GetString(7), IsSuperuser = r.GetBoolean(8),
            };
            loaded.Add(user);
            lastJoined = user.DateJoined;
            var row = Join(user.Id, user.Username, user.FullName, user.Identifier, user.BirthYear, user.Gender, r.GetString(6), user.DateJoined,
                user.IsSuperuser ? "1" : "0", r.GetString(9), r.GetString(10));
            users.Add(row);
            userRows[user.Id] = row;
        });

        var loadedClasses = new List<Class>();
        Read(database, transaction, facility, $"""
            SELECT c.id, c.name FROM kolibriauth_collection c WHERE c.parent_id = $facility AND c.kind = 'classroom' ORDER BY {database.Dialect.RowOrder("c")}
            """, r =>
        {
            loadedClasses.Add(new Class(r.GetString(0), r.GetString(1), loadedClasses.Count));
            classes.Add(Join("class", r.GetString(0), r.GetString(1)));
            classRows[r.GetString(0)] = Join(r.GetString(0), r.GetString(1));
        });

        var groups = new Dictionary<string, string>(StringComparer.Ordinal);
        Read(database, transaction, facility, """
            SELECT g.id, g.parent_id, g.name, g.kind FROM kolibriauth_collection g JOIN kolibriauth_collection c ON c.id = g.parent_id
            WHERE c.parent_id = $facility AND c.kind = 'classroom'
            """, r =>
        {
            groups[r.GetString(0)] = r.GetString(1);
            classes.Add(Join("group", r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
            classRows[r.GetString(1)] += "\u001f" + Join(r.GetString(0), r.GetString(2), r.GetString(3));
        });

        var membershipRows = new List<(string User, string Collection)>();
        Read(database, transaction, facility, """
            SELECT m.id, m.user_id, m.collection_id FROM kolibriauth_membership m JOIN kolibriauth_facilityuser u ON u.id = m.user_id
            WHERE u.facility_id = $facility
            """, r =>
        {
            membershipRows.Add((r.GetString(1), r.GetString(2)));
            var row = Join(r.GetString(0), r.GetString(1), r.GetString(2));
            memberships.Add(row);
            Append(userMemberships, r.GetString(1), row);
        });

        var roleRows = new List<(string User, string Collection, string Kind)>();
        Read(database, transaction, facility, """
            SELECT r.id, r.user_id, r.collection_id, r.kind FROM kolibriauth_role r JOIN kolibriauth_facilityuser u ON u.id = r.user_id
            WHERE u.facility_id = $facility
            """, r =>
        {
            roleRows.Add((r.GetString(1), r.GetString(2), r.GetString(3)));
            var row = Join(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3));
            roles.Add(row);
            Append(userRoles, r.GetString(1), row);
        });

        var fingerprint = new FacilityFingerprint
        {
            Users = Sha256(users),
            Classes = Sha256(classes),
            Memberships = Sha256(memberships),
            Roles = Sha256(roles),
            UserCount = users.Count,
            ClassCount = loadedClasses.Count,
            MembershipCount = memberships.Count,
            RoleCount = roles.Count,
            UserDigests = loaded.ToDictionary(u => u.Id, u => string.Join(':',
                Short(userRows[u.Id]),
                Short(userMemberships.GetValueOrDefault(u.Id) ?? []),
                Short(userRoles.GetValueOrDefault(u.Id) ?? []),
                u.Username), StringComparer.Ordinal),
            ClassDigests = loadedClasses.ToDictionary(c => c.Id, c => Short(classRows[c.Id]) + ":" + c.Name, StringComparer.Ordinal),
        };

        var snapshot = new FacilitySnapshot { Facility = facility, Fingerprint = fingerprint };
        snapshot.TimeZone = ZoneOf(lastJoined);
        foreach (var user in loaded)
        {
            snapshot.Users.Add(user);
            snapshot.UsersById[user.Id] = user;
            Append(snapshot.UsersByName, user.Username, user);
        }

        foreach (var c in loadedClasses)
        {
            snapshot.Classes.Add(c);
            snapshot.ClassesById[c.Id] = c;
            snapshot.ClassesByName.TryAdd(c.Name, c); // first class of a name wins, as Kolibri's lookup does
        }

        foreach (var (group, classId) in groups)
        {
            snapshot.GroupClass[group] = classId;
        }

        foreach (var (userId, collection) in membershipRows)
        {
            var user = snapshot.UsersById[userId];
            if (snapshot.ClassesById.ContainsKey(collection)) user.Classes.Add(collection);
            else if (groups.ContainsKey(collection)) user.Groups.Add(collection);
        }

        foreach (var (userId, collection, kind) in roleRows)
        {
            var user = snapshot.UsersById[userId];
            if (collection == facility.Id) user.FacilityRoles.Add(kind);
            else if (kind == RoleKinds.Coach && snapshot.ClassesById.ContainsKey(collection)) user.Coaches.Add(collection);
        }

        Read(database, transaction, facility, "SELECT id FROM kolibriauth_facilityuser WHERE facility_id <> $facility",
            r => snapshot.OtherFacilityUserIds.Add(r.GetString(0)));

        var tables = SchemaValidator.ReadTables(database.Connection, transaction);
        if (tables.Contains("lessons_lesson"))
        {
            CountContent(database, transaction, facility, snapshot, "lessons_lesson", "created_by_id", (c, n) => c.Lessons = n);
        }

        if (tables.Contains("exams_exam"))
        {
            CountContent(database, transaction, facility, snapshot, "exams_exam", "creator_id", (c, n) => c.Quizzes = n);
        }

        return snapshot;
    }

    private static void CountContent(KolibriDatabase database, DbTransaction? transaction, Facility facility, FacilitySnapshot snapshot,
        string table, string creatorColumn, Action<Class, int> setCount)
    {
        Read(database, transaction, facility, $"SELECT collection_id, COUNT(*) FROM {table} GROUP BY collection_id", r =>
        {
            if (snapshot.ClassesById.TryGetValue(r.GetString(0), out var c)) setCount(c, r.GetInt32(1));
        });
        Read(database, transaction, facility, $"SELECT {creatorColumn}, COUNT(*) FROM {table} WHERE {creatorColumn} IS NOT NULL GROUP BY {creatorColumn}", r =>
        {
            var id = r.GetString(0);
            if (snapshot.UsersById.ContainsKey(id)) snapshot.ContentByCreator[id] = snapshot.ContentByCreator.GetValueOrDefault(id) + r.GetInt32(1);
        });
    }

    /// <summary>The zone Kolibri names in its timestamps on this server: the zone of the newest user's date_joined.</summary>
    private static string ZoneOf(string? stored)
    {
        if (stored is null) return "UTC";
        var open = stored.IndexOf('(');
        return open < 0 || !stored.EndsWith(')') ? "UTC" : stored[(open + 1)..^1];
    }

    private static void Read(KolibriDatabase database, DbTransaction? transaction, Facility facility, string sql, Action<DbDataReader> row)
    {
        using var command = database.Command(sql, transaction);
        command.Parameters.AddWithValue("$facility", facility.Id);
        using var reader = command.ExecuteReader();
        while (reader.Read()) row(reader);
    }

    private static void Append<T>(Dictionary<string, List<T>> map, string key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }

    private static string Join(params string[] parts) => string.Join('\u001f', parts);

    private static string Sha256(List<string> rows)
    {
        rows.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(row));
            hash.AppendData("\n"u8);
        }

        return Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    private static string Short(string row) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(row)), 0, 4).ToLowerInvariant();

    private static string Short(List<string> rows)
    {
        if (rows.Count == 0) return "00000000";
        rows.Sort(StringComparer.Ordinal);
        return Short(string.Join('\n', rows));
    }
}
