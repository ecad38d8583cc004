using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace KolibriFacility.PowerShell.Completion;

/// <summary>Completes the genders a users CSV accepts (the import's GENDER rule; empty clears it).</summary>
public sealed class GenderCompleter : IArgumentCompleter
{
    private static readonly string[] Values = ["MALE", "FEMALE", "NOT_SPECIFIED", "DEFERRED"];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var prefix = (wordToComplete ?? "").Trim('\'', '"');
        return Values.Where(v => v.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).Select(v => new CompletionResult(v, v, CompletionResultType.ParameterValue, v));
    }
}
