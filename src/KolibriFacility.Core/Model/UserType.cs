namespace KolibriFacility.Core.Model;

/// <summary>
/// A user's type as Kolibri's Facility > Users page and its CSV files name it. The names are Kolibri's
/// own CSV values, so `-UserType CLASS_COACH` and `Where-Object UserType -eq LEARNER` read like the CSV.
/// </summary>
public enum UserType
{
    LEARNER,
    CLASS_COACH,
    FACILITY_COACH,
    ADMIN,
}
