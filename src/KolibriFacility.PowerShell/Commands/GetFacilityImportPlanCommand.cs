using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Reads a users CSV and plans its import without writing anything: every change, error and warning as objects,
/// the summary Kolibri shows before CONTINUE, and a fingerprint of the facility so the plan can be applied later
/// with Import-FacilityUsers -Plan (which refuses if the facility changed in between).
/// </summary>
[Cmdlet(VerbsCommon.Get, "FacilityImportPlan", DefaultParameterSetName = PathSet, HelpUri = HelpLinks.GetFacilityImportPlan)]
[OutputType(typeof(ImportPlan))]
public sealed class GetFacilityImportPlanCommand : ImportCmdlet
{
    protected override void Process()
    {
        try
        {
            var csv = ResolveCsvPath();
            var document = ReadCsv(csv, IgnoreUnknownColumns);
            var plan = PlanImport(document, Options);
            WriteImportWarnings(plan);
            if (plan.HasErrors && !SkipInvalidRows)
            {
                WriteWarning($"The plan has {plan.Errors.Count} errors (see its Errors property); Import-FacilityUsers will not apply it unless -SkipInvalidRows is used.");
            }
            else if (plan.IsRefused && plan.RefusalReason is { } reason)
            {
                WriteWarning(reason);
            }

            WriteObject(plan);
        }
        finally
        {
            CloseDatabase();
        }
    }
}
