using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Lists the facilities of a Kolibri database with their user and class counts.</summary>
[Cmdlet(VerbsCommon.Get, "Facility", HelpUri = HelpLinks.GetFacility)]
[OutputType(typeof(Facility))]
public sealed class GetFacilityCommand : DatabaseCmdlet
{
    /// <summary>Facility names or ids; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FacilityNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override void Process()
    {
        var filter = new NameFilter(Name);
        using var database = OpenRead();
        foreach (var facility in new FacilityDirectory(database).GetFacilities())
        {
            if (filter.IsMatch(facility.Name, facility.Id))
            {
                WriteObject(facility);
            }
        }

        foreach (var missing in filter.UnmatchedLiterals())
        {
            WriteNotFound(ErrorIds.FacilityNotFound, $"No facility named or with id '{missing}' in '{database.Path}'.", missing);
        }
    }
}
