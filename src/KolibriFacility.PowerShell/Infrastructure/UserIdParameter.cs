using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// -Id of the commands that take users from the pipeline (Set-FacilityUser, Remove-FacilityUser,
/// Add-/Remove-FacilityClassMember), declared once: they return this object from
/// <see cref="IDynamicParameters.GetDynamicParameters"/> (their other parameters come from different base classes).
/// tools/HelpGenerator reads a cmdlet's public property of this type as part of its parameters.
/// </summary>
public sealed class UserIdParameter
{
    /// <summary>The user's database id; bound from FacilityUser objects, it finds the user even when the username is shared or changes.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UserId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }
}
