using System.Management.Automation;
using KolibriFacility.Core.Model;

namespace KolibriFacility.PowerShell.Formatting;

/// <summary>
/// The computed columns of the FacilityUser table view, as hidden ETS code properties (KolibriFacility.Types.ps1xml)
/// that the view names by property (KolibriFacility.Format.ps1xml). They were script blocks; compiling those is
/// PowerShell's most expensive step in a new session's first `Get-FacilityUser` (about 330 methods JIT-compiled,
/// docs/ColdStart.md). PowerShell's own file views do the same (FileInfo's hidden NameString and LengthString).
/// Hidden: Select-Object *, Export-Csv, ConvertTo-Json and Get-Member do not show them; Export-Clixml keeps their
/// values, so objects back from Import-Clixml still show the same table.
/// </summary>
public static class FacilityUserColumns
{
    /// <summary>The user type by name, with * for a device superuser.</summary>
    public static string? UserTypeLabel(PSObject instance) =>
        instance?.BaseObject is FacilityUser user ? (user.IsSuperuser ? user.UserType + "*" : user.UserType) : null;

    public static string? EnrolledInLabel(PSObject instance) =>
        instance?.BaseObject is FacilityUser user ? string.Join(", ", user.EnrolledIn) : null;

    public static string? AssignedToLabel(PSObject instance) =>
        instance?.BaseObject is FacilityUser user ? string.Join(", ", user.AssignedTo) : null;
}
