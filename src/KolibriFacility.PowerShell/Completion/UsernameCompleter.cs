using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.PowerShell.Completion;

/// <summary>Completes usernames of the facility already typed on the command line (or the default facility).</summary>
public sealed class UsernameCompleter : IArgumentCompleter
{
    private const int MaximumSuggestions = 500;

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        CompletionHelper.Complete(fakeBoundParameters, wordToComplete, db =>
        {
            var facility = CompletionHelper.FacilityFrom(db, fakeBoundParameters);
            if (facility is null)
            {
                return [];
            }

            var prefix = wordToComplete.Trim('\'', '"');
            return new UserNameReader(db).Read(facility)
                .Select(u => u.Username)
                .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                .Take(MaximumSuggestions)
                .ToList();
        });
}
