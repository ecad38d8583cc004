using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Completion;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// A facility cmdlet that can be narrowed to classes (Get-FacilityUser, the log cmdlets): the -Class parameter and
/// the one way class names and ids become class ids.
/// </summary>
public abstract class ClassFilterCmdlet : FacilityCmdlet
{
    /// <summary>Only users (or their logs) of these classes: names or ids; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ClassName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Class { get; set; }

    /// <summary>The ids of the facility's classes matching <paramref name="filters"/>; each literal that matched nothing is a ClassNotFound error.</summary>
    protected List<string> MatchingClassIds(Facility facility, IReadOnlyCollection<string> filters) =>
        MatchingIds(filters, new FacilityDirectory(OpenedDatabase).GetClasses(facility).Select(c => (c.Id, c.Name)), ErrorIds.ClassNotFound, "class", facility);

    /// <summary>The ids of the candidates whose name or id matches a filter; each literal that matched nothing is an ObjectNotFound error.</summary>
    protected List<string> MatchingIds(IReadOnlyCollection<string> filters, IEnumerable<(string Id, string Name)> candidates, string errorId, string noun, Facility facility)
    {
        var filter = new NameFilter(filters);
        var ids = candidates.Where(c => filter.IsMatch(c.Name, c.Id)).Select(c => c.Id).ToList();
        foreach (var missing in filter.UnmatchedLiterals())
        {
            WriteNotFound(errorId, $"No {noun} named or with id '{missing}' in facility '{facility.Name}'.", missing);
        }

        return ids;
    }
}
