using System.Collections;
using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.PowerShell.Completion;

/// <summary>Shared plumbing for completers: open the database the command line names, never throw, quote as needed.</summary>
internal static class CompletionHelper
{
    public static IEnumerable<CompletionResult> Complete(IDictionary fakeBoundParameters, string wordToComplete, Func<KolibriDatabase, IEnumerable<string>> names)
    {
        List<string> candidates;
        try
        {
            var explicitPath = fakeBoundParameters["Database"] as string;
            using var database = KolibriDatabase.OpenRead(KolibriDatabaseLocator.Resolve(explicitPath));
            candidates = names(database).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
        catch (Exception)
        {
            // Completion must never fail the command line; no database simply means no suggestions.
            return [];
        }

        var pattern = new WildcardPattern(Unquote(wordToComplete) + "*", WildcardOptions.IgnoreCase);
        return candidates
            .Where(pattern.IsMatch)
            .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
            .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n))
            .ToList();
    }

    public static Facility? FacilityFrom(KolibriDatabase database, IDictionary fakeBoundParameters)
    {
        try
        {
            return new FacilityDirectory(database).Resolve(fakeBoundParameters["Facility"] as string);
        }
        catch (FacilitySelectionException)
        {
            return null;
        }
    }

    private static string Unquote(string word) => word.Trim('\'', '"');

    private static string Quote(string name) =>
        name.IndexOfAny([' ', '\'', '"', '$', '`', ',', ';', '(', ')', '{', '}', '@', '#', '&', '|']) >= 0
            ? "'" + name.Replace("'", "''", StringComparison.Ordinal) + "'"
            : name;
}
