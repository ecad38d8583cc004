using System.Management.Automation;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Lists the users of a facility, filtered by username, user type and class.</summary>
[Cmdlet(VerbsCommon.Get, "FacilityUser", HelpUri = HelpLinks.GetFacilityUser)]
[OutputType(typeof(FacilityUser))]
public sealed class GetFacilityUserCommand : ClassFilterCmdlet
{
    private readonly HashSet<string> emitted = new(StringComparer.Ordinal);

    /// <summary>Usernames; wildcards allowed; matched case-insensitively as Kolibri's sign-in does.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(UsernameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Username { get; set; }

    /// <summary>Only users of these types.</summary>
    [Parameter]
    public UserType[]? UserType { get; set; }

    protected override void Process()
    {
        var facility = CurrentFacility;
        var query = UserQuery.All;
        if (Class is not null)
        {
            var classIds = MatchingClassIds(facility, Class);
            if (classIds.Count == 0)
            {
                return;
            }

            query = query with { ClassIds = classIds };
        }

        var names = new NameFilter(Username);
        if (names.HasOnlyLiterals)
        {
            query = query with { Usernames = names.Literals.ToList() };
        }

        var types = UserType?.Select(t => t.ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var user in new UserReader(OpenedDatabase).Read(facility, query))
        {
            Cancellation.ThrowIfCancellationRequested();
            if (names.IsMatch(user.Username) && (types is null || types.Contains(user.UserType)) && emitted.Add(user.Database + "|" + user.Id))
            {
                WriteObject(user);
            }
        }

        foreach (var missing in names.UnmatchedLiterals())
        {
            WriteNotFound(ErrorIds.UserNotFound, $"No user named '{missing}' in facility '{facility.Name}'.", missing);
        }
    }
}
