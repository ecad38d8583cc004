using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Lists the classes of a facility with their learner and coach counts.</summary>
[Cmdlet(VerbsCommon.Get, "FacilityClass", HelpUri = HelpLinks.GetFacilityClass)]
[OutputType(typeof(FacilityClass))]
public sealed class GetFacilityClassCommand : FacilityCmdlet
{
    /// <summary>Class names or ids; wildcards allowed.</summary>
    [Parameter(Position = 0)]
    [Alias("Class", "ClassName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void Process()
    {
        var filter = new NameFilter(Name);
        var facility = CurrentFacility;
        foreach (var facilityClass in new FacilityDirectory(OpenedDatabase).GetClasses(facility))
        {
            if (filter.IsMatch(facilityClass.Name, facilityClass.Id))
            {
                WriteObject(facilityClass);
            }
        }

        foreach (var missing in filter.UnmatchedLiterals())
        {
            WriteNotFound(ErrorIds.ClassNotFound, $"No class named or with id '{missing}' in facility '{facility.Name}'.", missing);
        }
    }
}
