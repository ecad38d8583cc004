using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// -TimeoutSec (the busy wait, alias -BusyTimeoutSeconds) and -PassThru of a command that writes the database with one
/// result, declared once: Import-FacilityUsers, Undo-FacilityImport and Restore-FacilityDatabase return this object
/// from <see cref="IDynamicParameters.GetDynamicParameters"/> (their other parameters come from different base classes).
/// tools/HelpGenerator reads a cmdlet's public property of this type as part of its parameters.
/// </summary>
public sealed class WriteParameters
{
    /// <summary>Seconds to wait for Kolibri to release the database before giving up.</summary>
    [Parameter]
    [Alias("BusyTimeoutSeconds")]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>Return the command's result object.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    internal TimeSpan BusyTimeout => TimeSpan.FromSeconds(TimeoutSec);
}
