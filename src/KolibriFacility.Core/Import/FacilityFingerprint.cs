using System.Globalization;
using System.Text;

namespace KolibriFacility.Core.Import;

/// <summary>
/// What a facility's users, classes, memberships and roles were when a plan was made: SHA-256s over the rows sorted
/// by id (content columns only: morango's dirty bit flips on every sync and is left out), plus a short digest per
/// user and per class so that a conflict can be described by name.
/// </summary>
public sealed record FacilityFingerprint
{
    public required string Users { get; init; }
    public required string Classes { get; init; }
    public required string Memberships { get; init; }
    public required string Roles { get; init; }
    public int UserCount { get; init; }
    public int ClassCount { get; init; }
    public int MembershipCount { get; init; }
    public int RoleCount { get; init; }

    /// <summary>User id -> "row:memberships:roles:username" (8 hex digits each).</summary>
    public IReadOnlyDictionary<string, string> UserDigests { get; init; } = new Dictionary<string, string>();

    /// <summary>Class id -> "digest:name".</summary>
    public IReadOnlyDictionary<string, string> ClassDigests { get; init; } = new Dictionary<string, string>();

    public bool Equals(FacilityFingerprint? other) =>
        other is not null && Users == other.Users && Classes == other.Classes && Memberships == other.Memberships && Roles == other.Roles;

    public override int GetHashCode() => HashCode.Combine(Users, Classes, Memberships, Roles);

    /// <summary>Null when both describe the same state, else what changed from this one to <paramref name="now"/>, with counts and a few names.</summary>
    public string? Describe(FacilityFingerprint now)
    {
        if (Equals(now))
        {
            return null;
        }

        var parts = new List<string>();
        var added = now.UserDigests.Keys.Where(id => !UserDigests.ContainsKey(id)).Select(id => UserName(now.UserDigests[id])).ToList();
        var removed = UserDigests.Keys.Where(id => !now.UserDigests.ContainsKey(id)).Select(id => UserName(UserDigests[id])).ToList();
        var edited = new List<string>();
        var memberships = new List<string>();
        var roles = new List<string>();
        foreach (var (id, before) in UserDigests)
        {
            if (!now.UserDigests.TryGetValue(id, out var after) || after == before)
            {
                continue;
            }

            var b = before.Split(':', 4);
            var a = after.Split(':', 4);
            if (b[0] != a[0] || b[3] != a[3]) edited.Add(a[3]);
            if (b[1] != a[1]) memberships.Add(a[3]);
            if (b[2] != a[2]) roles.Add(a[3]);
        }

        Add(parts, "user(s) added", added);
        Add(parts, "user(s) removed", removed);
        Add(parts, "user(s) edited", edited);
        Add(parts, "user(s) with changed class memberships", memberships);
        Add(parts, "user(s) with changed roles", roles);

        var classesAdded = now.ClassDigests.Keys.Where(id => !ClassDigests.ContainsKey(id)).Select(id => ClassName(now.ClassDigests[id])).ToList();
        var classesRemoved = ClassDigests.Keys.Where(id => !now.ClassDigests.ContainsKey(id)).Select(id => ClassName(ClassDigests[id])).ToList();
        var classesChanged = ClassDigests.Where(p => now.ClassDigests.TryGetValue(p.Key, out var a) && a != p.Value).Select(p => ClassName(now.ClassDigests[p.Key])).ToList();
        Add(parts, "class(es) added", classesAdded);
        Add(parts, "class(es) removed", classesRemoved);
        Add(parts, "class(es) renamed or regrouped", classesChanged);

        if (parts.Count == 0)
        {
            parts.Add("the facility's users, classes, memberships or roles changed");
        }

        return "The facility changed since the plan was made: " + string.Join("; ", parts) + ". Plan the import again.";
    }

    private static string UserName(string digest) => digest.Split(':', 4)[^1];

    private static string ClassName(string digest) => digest.Split(':', 2)[^1];

    private static void Add(List<string> parts, string what, List<string> names)
    {
        if (names.Count == 0)
        {
            return;
        }

        var shown = string.Join(", ", names.Take(5).Select(n => "'" + n + "'"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{names.Count} {what} ({shown}{(names.Count > 5 ? ", ..." : "")})"));
    }
}
