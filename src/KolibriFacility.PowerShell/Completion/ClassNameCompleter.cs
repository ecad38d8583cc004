using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using KolibriFacility.Core.Facilities;

namespace KolibriFacility.PowerShell.Completion;

/// <summary>Completes class names of the facility already typed on the command line (or the default facility).</summary>
public sealed class ClassNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(fakeBoundParameters, wordToComplete, db =>
        {
            var facility = CompletionHelper.FacilityFrom(db, fakeBoundParameters);
            return facility is null ? [] : new FacilityDirectory(db).GetClasses(facility).Select(c => c.Name).ToList();
        });
}
