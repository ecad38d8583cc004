using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using KolibriFacility.Core.Facilities;

namespace KolibriFacility.PowerShell.Completion;

/// <summary>Completes facility names from the database named by -Database (or the default one).</summary>
public sealed class FacilityNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(fakeBoundParameters, wordToComplete, db => new FacilityDirectory(db).GetFacilities().Select(f => f.Name).ToList());
}
