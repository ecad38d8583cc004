using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

/// <summary>What the Kolibri 0.17.5 fixture database holds (checked by hand against the db and users-export.csv).</summary>
internal static class KolibriSmall
{
    public const string FacilityId = "9c9a861ccfe31c98f97cb3d38f9dc039";
    public const string FacilityName = "Demo Facility";
    public const string DatasetId = "e53af19467e2a90b59f255d539e476a6";
    public const string SuperuserId = "a576360817357cc7385dfa95796e488c";

    public static readonly string[] Admins = ["admin", "admin2", "admin3", "principal"];
    public static readonly string[] FacilityCoaches = ["fcoach1", "fcoach2", "fcoach3", "fcoach4"];
    public static readonly string[] ClassCoaches = ["ccoach1", "ccoach2", "ccoach3", "ccoach4", "ccoach5", "ccoach6"];
    public static readonly string[] Learners = Enumerable.Range(1, 37).Select(i => $"learner{i:00}").ToArray();

    /// <summary>Class name, learners (memberships), coaches (classroom coach roles).</summary>
    public static readonly (string Name, string Id, int Learners, int Coaches)[] Classes =
    [
        ("Class A", "ee2439cc1a477f2ea57ca4ad8c19067c", 9, 4),
        ("Class B", "d36a94dda8f0d37bead1b985ca8ddf02", 12, 2),
        ("Grade 5 Math", "dd002247b1f35849954100e114c91a13", 6, 3),
        ("Reading Club", "e6d4bb4b050d987707959a4e3b077e36", 7, 2),
        ("Science 7", "fcc77d2aa9dfda7c88ec9b8994660427", 6, 3),
    ];
}
