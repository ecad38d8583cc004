using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Creates classes in a facility, as the import creates them (Kolibri's ids and morango fields).</summary>
[Cmdlet(VerbsCommon.New, "FacilityClass", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.NewFacilityClass)]
[OutputType(typeof(FacilityClass))]
public sealed class NewFacilityClassCommand : AdditiveEditCmdlet
{
    /// <summary>Names of the new classes (at most 50 characters, unique in the facility ignoring case).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClassName")]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void Process()
    {
        foreach (var name in Name!)
        {
            CurrentEdits.Classes.Add(new ClassEdit { Action = ClassEditAction.Create, Name = name });
        }
    }

    protected override void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        if (PassThru)
        {
            var names = edits.Classes.Select(c => c.Name!.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            WriteObject(new FacilityDirectory(database).GetClasses(facility).Where(c => names.Contains(c.Name)), enumerateCollection: true);
        }
    }
}
