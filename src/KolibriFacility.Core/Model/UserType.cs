namespace KolibriFacility.Core.Model;

/// <summary>
/// A user's type as Kolibri's Facility > Users page and its CSV files name it. The names are Kolibri's
/// own CSV values, so `-UserType CLASS_COACH` and `Where-Object UserType -eq LEARNER` read like the CSV.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "The names are Kolibri's USER_TYPE values, which admins type as -UserType arguments and compare in scripts.")]
public enum UserType
{
    LEARNER,
    CLASS_COACH,
    FACILITY_COACH,
    ADMIN,
}
