using System.Management.Automation;
using KolibriFacility.Core.Portal;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Shows whether a facility is registered with the Kolibri Data Portal, which portal this device uses, and its last
/// sync sessions from Kolibri's morango tables.
/// </summary>
[Cmdlet(VerbsCommon.Get, "PortalSyncStatus", HelpUri = HelpLinks.GetPortalSyncStatus)]
[OutputType(typeof(PortalSyncStatus))]
public sealed class GetPortalSyncStatusCommand : FacilityCmdlet
{
    /// <summary>How many recent sync sessions to include (newest first).</summary>
    [Parameter]
    [ValidateRange(0, 1000)]
    public int SessionCount { get; set; } = 5;

    protected override void Process()
    {
        var facility = CurrentFacility;
        PortalSyncStatus status;
        try
        {
            status = new PortalSyncStatusReader(OpenedDatabase).Read(facility, SessionCount);
        }
        catch (ArgumentException ex)
        {
            // options.ini or $env:KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL holds something that is not a server URL.
            throw Terminate(ex, ErrorIds.InvalidServerUrl, ErrorCategory.InvalidData, OpenedDatabase.Home);
        }

        WriteObject(status);
    }
}
