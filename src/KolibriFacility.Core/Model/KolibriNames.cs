namespace KolibriFacility.Core.Model;

/// <summary>Values Kolibri stores in kolibriauth_role.kind.</summary>
public static class RoleKinds
{
    public const string Admin = "admin";
    public const string Coach = "coach";
    public const string AssignableCoach = "classroom assignable coach";

    /// <summary>The facility-level role kind a user type maps to (null for LEARNER).</summary>
    public static string? ForUserType(UserType type) => type switch
    {
        UserType.ADMIN => Admin,
        UserType.FACILITY_COACH => Coach,
        UserType.CLASS_COACH => AssignableCoach,
        _ => null,
    };

    /// <summary>The user type a set of facility-level roles gives, strongest role first.</summary>
    public static UserType ToUserType(IEnumerable<string> facilityRoleKinds)
    {
        var kinds = facilityRoleKinds as ICollection<string> ?? facilityRoleKinds.ToList();
        if (kinds.Contains(Admin)) return UserType.ADMIN;
        if (kinds.Contains(Coach)) return UserType.FACILITY_COACH;
        if (kinds.Contains(AssignableCoach)) return UserType.CLASS_COACH;
        return UserType.LEARNER;
    }
}

/// <summary>Values Kolibri stores in kolibriauth_collection.kind.</summary>
public static class CollectionKinds
{
    public const string Facility = "facility";
    public const string Classroom = "classroom";
    public const string LearnerGroup = "learnergroup";
    public const string AdHocGroup = "adhoclearnersgroup";
}

/// <summary>Demographic values Kolibri stores for gender and birth year.</summary>
public static class Demographics
{
    public const string NotSpecified = "NOT_SPECIFIED";
    public const string Deferred = "DEFERRED";
    public static readonly string[] Genders = ["MALE", "FEMALE", NotSpecified, Deferred];
}
