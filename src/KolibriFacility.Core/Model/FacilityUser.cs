namespace KolibriFacility.Core.Model;

/// <summary>A facility user as Kolibri's Users page and users CSV describe it.</summary>
public sealed class FacilityUser
{
    public required string Id { get; init; }
    public required string Username { get; init; }
    public string FullName { get; init; } = "";
    /// <summary>The user's type, from the facility-level role as Kolibri's export derives it.</summary>
    /// <remarks>
    /// Internal: PowerShell sees <see cref="UserType"/>, the name, because ConvertTo-Json writes an enum as its number.
    /// </remarks>
    internal Model.UserType Type { get; init; }
    /// <summary>
    /// Kolibri's name for the user's type (LEARNER, CLASS_COACH, FACILITY_COACH, ADMIN), as its users CSV writes it:
    /// a string, so Export-Csv, ConvertTo-Json and Export-Clixml keep the name, and <c>Where-Object UserType -eq LEARNER</c> still works.
    /// </summary>
    public string UserType => Type.ToString();
    /// <summary>A device superuser (device_devicepermissions.is_superuser).</summary>
    public bool IsSuperuser { get; init; }
    /// <summary>Kolibri's id_number.</summary>
    public string Identifier { get; init; } = "";
    /// <summary>As stored: a year, NOT_SPECIFIED, DEFERRED or empty.</summary>
    public string BirthYear { get; init; } = "";
    /// <summary>As stored: MALE, FEMALE, NOT_SPECIFIED, DEFERRED or empty.</summary>
    public string Gender { get; init; } = "";
    /// <summary>Names of the classes the user is enrolled in as a learner.</summary>
    public ClassNames EnrolledIn { get; init; } = ClassNames.None;
    /// <summary>Names of the classes the user coaches.</summary>
    public ClassNames AssignedTo { get; init; } = ClassNames.None;
    /// <summary>The facility's name (binds to -Facility by property name).</summary>
    public string Facility { get; init; } = "";
    public string FacilityId { get; init; } = "";
    public string DatasetId { get; init; } = "";
    public DateTimeOffset? DateJoined { get; init; }
    public DateTimeOffset? LastLogin { get; init; }
    /// <summary>False for learners Kolibri lets sign in without a password (stored as NOT_SPECIFIED).</summary>
    public bool HasPassword { get; init; }
    public string Database { get; init; } = "";

    public bool IsAdmin => Type == Model.UserType.ADMIN;

    public override string ToString() => Username;
}
