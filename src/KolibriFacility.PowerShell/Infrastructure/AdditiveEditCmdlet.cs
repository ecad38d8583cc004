using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of the edit cmdlets that delete nothing (New-/Set-FacilityUser, New-/Set-FacilityClass, Add-/Remove-FacilityClassMember):
/// no backup unless -Backup (the journal is kept either way), and -PassThru returns what they made or changed.
/// </summary>
public abstract class AdditiveEditCmdlet : EditCmdlet
{
    /// <summary>Take an online backup of the database before writing (once for the whole pipeline).</summary>
    [Parameter]
    public SwitchParameter Backup { get; set; }

    /// <summary>Return the objects made or changed, as they are afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override bool TakeBackup => Backup;
}
