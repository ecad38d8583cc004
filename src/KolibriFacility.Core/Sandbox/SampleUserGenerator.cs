using System.Globalization;
using KolibriFacility.Core.Model;

namespace KolibriFacility.Core.Sandbox;

/// <summary>One generated sample user; class memberships are indexes into the generated class list.</summary>
internal sealed record SampleUser(
    string Username,
    string FullName,
    UserType Type,
    string Gender,
    string BirthYear,
    string Identifier,
    DateTimeOffset DateJoined,
    IReadOnlyList<int> EnrolledIn,
    IReadOnlyList<int> AssignedTo);

/// <summary>
/// Realistic sample people for a school: about 90% learners in one or two classes, class coaches assigned to one
/// to three classes, a few facility coaches and admins; international names, Kolibri's demographic values.
/// </summary>
internal sealed class SampleUserGenerator(Random random)
{
    private static readonly string[] FirstNames =
    [
        "Amina", "Kwame", "Lucía", "Chen", "Fatima", "Björn", "Ngozi", "Mateo", "Hana", "Yusuf", "Priya", "Oscar", "Zoë", "Tariq",
        "Nadia", "Samuel", "Aisha", "José", "Emeka", "Siobhán", "Ivan", "Mei", "Rosa", "Victor", "Dolores", "Brian", "Uma", "Xavier",
        "Jasmine", "Gabriel", "Wanjiru", "Thabo", "Ana", "Kofi", "Leila", "Rahul", "Sofia", "Omar", "Grace", "Dmitri",
    ];

    private static readonly string[] LastNames =
    [
        "Okafor", "García", "Wang", "Khan", "Mensah", "Núñez", "Smith", "Tanaka", "Boateng", "Rossi", "Dubois", "Kariuki", "Patel",
        "Haddad", "Moreno", "Brown", "Silva", "Petrov", "Ó'Connor", "Nguyen", "Mwangi", "Kowalski", "Hassan", "Santos", "Abebe",
    ];

    private static readonly string[] Grades = ["Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade 6", "Grade 7", "Grade 8"];
    private static readonly string[] Streams = ["A", "B", "C", "D", "E", "F"];
    private static readonly string[] Clubs = ["Reading Club", "Science Club", "Math Olympiad", "Coding Club"];

    /// <summary>About one class per 35 users, at least three: grade streams first, then clubs.</summary>
    public static IEnumerable<string> ClassNames(int userCount)
    {
        var count = Math.Max(3, userCount / 35);
        var names = new List<string>();
        for (var round = 0; names.Count < count; round++)
        {
            foreach (var grade in Grades)
            {
                if (names.Count == count)
                {
                    break;
                }

                var stream = round < Streams.Length ? Streams[round] : (round + 1).ToString(CultureInfo.InvariantCulture);
                names.Add($"{grade} {stream}");
            }

            if (round == 0)
            {
                names.AddRange(Clubs.Take(Math.Max(0, count - names.Count)));
            }
        }

        return names;
    }

    public IEnumerable<SampleUser> Users(int count, int classCount)
    {
        var usernames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var type = PickType(i, count);
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            var username = UniqueUsername(first, last, usernames);
            var isLearner = type == UserType.LEARNER;
            yield return new SampleUser(
                username,
                $"{first} {last}",
                type,
                Pick(["MALE", "FEMALE", "MALE", "FEMALE", "NOT_SPECIFIED", ""]),
                random.Next(10) == 0 ? "NOT_SPECIFIED" : (isLearner ? random.Next(2008, 2019) : random.Next(1960, 1999)).ToString(CultureInfo.InvariantCulture),
                random.Next(3) == 0 ? "" : "ID-" + random.Next(0, 100000).ToString("D5", CultureInfo.InvariantCulture),
                now.AddDays(-random.Next(0, 900)).AddSeconds(-random.Next(0, 86400)),
                isLearner ? DistinctClasses(random.Next(5) == 0 ? 2 : 1, classCount) : [],
                type switch
                {
                    UserType.CLASS_COACH => DistinctClasses(random.Next(1, 4), classCount),
                    UserType.FACILITY_COACH => DistinctClasses(random.Next(0, 3), classCount),
                    _ => [],
                });
        }
    }

    private static UserType PickType(int index, int count) => (index % 100) switch
    {
        0 when index > 0 || count >= 100 => UserType.ADMIN,
        1 or 2 => UserType.FACILITY_COACH,
        3 or 4 or 5 or 6 or 7 => UserType.CLASS_COACH,
        _ => UserType.LEARNER,
    };

    private string UniqueUsername(string first, string last, HashSet<string> used)
    {
        var stem = new string((first + "_" + last).Where(c => char.IsLetterOrDigit(c) || c == '_').ToArray()).ToLowerInvariant();
        stem = stem.Length > 24 ? stem[..24] : stem;
        var candidate = stem;
        while (!used.Add(candidate))
        {
            candidate = stem + random.Next(1, 100000).ToString(CultureInfo.InvariantCulture);
        }

        return candidate;
    }

    private int[] DistinctClasses(int wanted, int classCount)
    {
        wanted = Math.Min(wanted, classCount);
        var chosen = new HashSet<int>();
        while (chosen.Count < wanted)
        {
            chosen.Add(random.Next(classCount));
        }

        return chosen.ToArray();
    }

    private string Pick(string[] values) => values[random.Next(values.Length)];
}
