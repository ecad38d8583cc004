using System.Management.Automation;
using KolibriFacility.Core.Logs;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Emits a facility's usage logs as typed objects (SessionLog or SummaryLog) for analysis in the pipeline: the same
/// rows, filters and names New-FacilityLog writes.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FacilityLog", HelpUri = HelpLinks.GetFacilityLog)]
[OutputType(typeof(SessionLog), typeof(SummaryLog))]
public sealed class GetFacilityLogCommand : LogCmdlet
{
    protected override void Process()
    {
        var facility = CurrentFacility;
        var query = BuildQuery(facility, Class, Username);
        if (query is null)
        {
            return;
        }

        WriteVerbose("Reading " + Describe(facility, query));
        foreach (var log in new LogReader(OpenedDatabase).Read(facility, query, Cancellation))
        {
            WriteObject(log);
        }
    }
}
