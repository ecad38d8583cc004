using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Deletes classes as Kolibri's UI does (and the import's -RemoveUnreferencedClasses): the class with its learner
/// groups, enrolments, coach assignments, lessons and quizzes, recorded for sync. The users stay.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FacilityClass", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.RemoveFacilityClass)]
public sealed class RemoveFacilityClassCommand : DeletionEditCmdlet
{
    /// <summary>The classes to delete, by name or id. Takes FacilityClass objects from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("ClassName")]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>The class's database id; bound from FacilityClass objects.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClassId")]
    [ValidateNotNullOrEmpty]
    public string? Id { get; set; }

    protected override void Process()
    {
        if (Id is not null)
        {
            CurrentEdits.Classes.Add(new ClassEdit { Action = ClassEditAction.Delete, Id = Id, Name = Name?.FirstOrDefault() });
            return;
        }

        foreach (var name in Name!)
        {
            CurrentEdits.Classes.Add(new ClassEdit { Action = ClassEditAction.Delete, Name = name });
        }
    }
}
