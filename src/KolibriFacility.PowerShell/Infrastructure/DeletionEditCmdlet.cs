using System.Management.Automation;
using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of Remove-FacilityUser and Remove-FacilityClass: what they delete cannot be brought back from the database
/// itself, so they take a backup unless -NoBackup, and -Force lifts the import's deletion safeguards.
/// </summary>
public abstract class DeletionEditCmdlet : EditCmdlet
{
    /// <summary>Lift the import's safeguards: the deletion threshold (users), classes with lessons or quizzes (classes).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Skip the online backup taken before deleting.</summary>
    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    protected override bool TakeBackup => !NoBackup;

    protected override ImportOptions Options => new() { Force = Force };
}
