using System.Management.Automation;
using System.Security;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Changes facility users: only the fields given change (a password reset is -Password). Users come by username or
/// from Get-FacilityUser on the pipeline; a pipeline of users is one plan and one transaction.
/// </summary>
[Cmdlet(VerbsCommon.Set, "FacilityUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = UsernameSet, HelpUri = HelpLinks.SetFacilityUser)]
[OutputType(typeof(FacilityUser))]
public sealed class SetFacilityUserCommand : UserFieldsEditCmdlet, IDynamicParameters
{
    private const string UsernameSet = "Username";
    private const string CredentialSet = "Credential";

    /// <summary>The user to change. Takes usernames and FacilityUser objects from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = UsernameSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Parameter(Position = 0, ParameterSetName = CredentialSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UsernameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Username { get; set; }

    /// <summary>-Id.</summary>
    public UserIdParameter User { get; } = new();

    public object GetDynamicParameters() => User;

    /// <summary>Rename the user.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? NewUsername { get; set; }

    /// <summary>The new full name.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? FullName { get; set; }

    /// <summary>The new user type: LEARNER, CLASS_COACH, FACILITY_COACH or ADMIN (the facility role changes with it).</summary>
    [Parameter]
    public UserType? UserType { get => userType as UserType?; set => userType = value; }

    // Boxed: a field of a Core value type would make PowerShell load Core before the module's initializer routes it (Loading/).
    private object? userType;

    /// <summary>A new password, as a SecureString (Read-Host -AsSecureString).</summary>
    [Parameter(ParameterSetName = UsernameSet)]
    public SecureString? Password { get; set; }

    /// <summary>A new password from a credential (Get-Credential); its user name is used when -Username is not given.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The new identifier (id_number), stored upper-cased.</summary>
    [Parameter]
    public string? Identifier { get; set; }

    /// <summary>The new birth year: a year from 1900 to this year, DEFERRED, or empty.</summary>
    [Parameter]
    public string? BirthYear { get; set; }

    /// <summary>The new gender: MALE, FEMALE, NOT_SPECIFIED, DEFERRED or empty.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(GenderCompleter))]
    public string? Gender { get; set; }

    protected override void Process() => AddUserEdit(
        new UserEdit { Action = UserEditAction.Update, Id = User.Id, Username = Username ?? Credential?.UserName, NewUsername = NewUsername },
        FullName, UserType, Password, Credential, Identifier, BirthYear, Gender);

    protected override void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        if (PassThru)
        {
            WriteObject(ChangedUsers(database, facility, edits), enumerateCollection: true);
        }
    }

    /// <summary>The users the edits name, read back (by id when known: a rename changes the username).</summary>
    internal static IEnumerable<FacilityUser> ChangedUsers(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        var ids = edits.Users.Where(u => u.Id is not null).Select(u => u.Id!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var names = edits.Users.Where(u => u.Id is null).Select(u => u.NewUsername ?? u.Username!).ToHashSet(UsernameComparer.Instance);
        return new UserReader(database).Read(facility).Where(u => ids.Contains(u.Id) || names.Contains(u.Username));
    }
}
