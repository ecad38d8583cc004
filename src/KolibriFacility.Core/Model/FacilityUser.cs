namespace KolibriFacility.Core.Model;

/// <summary>A facility user as Kolibri's Users page and users CSV describe it.</summary>
public sealed class FacilityUser
{
    public required string Id { get; init; }
    public required string Username { get; init; }
    public string FullName { get; init; } = "";
    /// <summary>From the user's facility-level role, as Kolibri's export derives it.</summary>
    public UserType UserType { get; init; }
    /// <summary>A device superuser (device_devicepermissions.is_superuser).</summary>
    public bool IsSuperuser { get; init; }
    /// <summary>Kolibri's id_number.</summary>
    public string Identifier { get; init; } = "";
    /// <summary>As stored: a year, NOT_SPECIFIED, DEFERRED or empty.</summary>
    public string BirthYear { get; init; } = "";
    /// <summary>As stored: MALE, FEMALE, NOT_SPECIFIED, DEFERRED or empty.</summary>
    public string Gender { get; init; } = "";
    /// <summary>Names of the classes the user is enrolled in as a learner.</summary>
    public string[] EnrolledIn { get; init; } = [];
    /// <summary>Names of the classes the user coaches.</summary>
    public string[] AssignedTo { get; init; } = [];
    /// <summary>The facility's name (binds to -Facility by property name).</summary>
    public string Facility { get; init; } = "";
    public string FacilityId { get; init; } = "";
    public string DatasetId { get; init; } = "";
    public DateTimeOffset? DateJoined { get; init; }
    public DateTimeOffset? LastLogin { get; init; }
    /// <summary>False for learners Kolibri lets sign in without a password (stored as NOT_SPECIFIED).</summary>
    public bool HasPassword { get; init; }
    public string Database { get; init; } = "";

    public bool IsAdmin => UserType == UserType.ADMIN;

    public override string ToString() => Username;
}
