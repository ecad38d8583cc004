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
    /// <summary>Class names or ids; wildcards allowed. Binds by property name (Name, Class, ClassName), e.g. from Import-Csv.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Class", "ClassName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    /// <summary>
    /// A facility from Get-Facility. Its Name is the facility's, not a class's: Get-Facility | Get-FacilityClass lists
    /// all classes of each facility (bound to -Facility by its FacilityId) instead of filtering by the facility name.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    [FacilityObjectOnly]
    public Facility? InputFacility { get; set; }

    private bool nameOnCommandLine;

    protected override void Begin() => nameOnCommandLine = MyInvocation.BoundParameters.ContainsKey(nameof(Name));

    protected override void Process()
    {
        var filter = new NameFilter(InputFacility is not null && !nameOnCommandLine ? null : Name);
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
