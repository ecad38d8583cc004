using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Renames a class; its learners, coaches, lessons and quizzes stay with it (the class keeps its id).</summary>
[Cmdlet(VerbsCommon.Set, "FacilityClass", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.SetFacilityClass)]
[OutputType(typeof(FacilityClass))]
public sealed class SetFacilityClassCommand : AdditiveEditCmdlet
{
    /// <summary>The class to rename, by name or id. Takes FacilityClass objects from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClassName")]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Name { get; set; }

    /// <summary>The class's database id; bound from FacilityClass objects.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClassId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    /// <summary>The class's new name (at most 50 characters, unique in the facility ignoring case).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string? NewName { get; set; }

    protected override void Process() =>
        CurrentEdits.Classes.Add(new ClassEdit { Action = ClassEditAction.Rename, Id = Id, Name = Name, NewName = NewName });

    protected override void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        if (PassThru)
        {
            var names = edits.Classes.Select(c => c.NewName!.Trim()).ToHashSet(StringComparer.OrdinalIgnoreCase);
            WriteObject(new FacilityDirectory(database).GetClasses(facility).Where(c => names.Contains(c.Name)), enumerateCollection: true);
        }
    }
}
