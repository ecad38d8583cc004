using System.Management.Automation;
using KolibriFacility.Core.Portal;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Shows whether a facility is registered with the Kolibri Data Portal, which portal this device uses, and its last
/// sync sessions from Kolibri's morango tables.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PortalSyncStatus")]
[OutputType(typeof(PortalSyncStatus))]
public sealed class GetPortalSyncStatusCommand : FacilityCmdlet
{
    /// <summary>How many recent sync sessions to include (newest first).</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int SessionCount { get; set; } = 5;

    protected override void Process() => WriteObject(new PortalSyncStatusReader(Db).Read(CurrentFacility, SessionCount));
}
