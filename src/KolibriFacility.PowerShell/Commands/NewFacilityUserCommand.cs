using System.Management.Automation;
using System.Security;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Creates facility users (one, or many from the pipeline in one transaction) with the import's rules.</summary>
[Cmdlet(VerbsCommon.New, "FacilityUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = PasswordSet, HelpUri = HelpLinks.NewFacilityUser)]
[OutputType(typeof(FacilityUser))]
public sealed class NewFacilityUserCommand : UserFieldsEditCmdlet
{
    private const string PasswordSet = "Password";
    private const string CredentialSet = "Credential";

    /// <summary>The new user's username (letters, digits and underscores; unique in the facility ignoring case).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PasswordSet, ValueFromPipelineByPropertyName = true)]
    [Parameter(ParameterSetName = CredentialSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? Username { get; set; }

    /// <summary>The user's full name.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? FullName { get; set; }

    /// <summary>LEARNER (default), CLASS_COACH, FACILITY_COACH or ADMIN.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public UserType UserType { get => userType is UserType type ? type : UserType.LEARNER; set => userType = value; }

    // Boxed: a field of a Core value type would make PowerShell load Core before the module's initializer routes it (Loading/).
    private object? userType;

    /// <summary>The password, as a SecureString (Read-Host -AsSecureString).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PasswordSet)]
    public SecureString? Password { get; set; }

    /// <summary>Username and password together (Get-Credential); -Username, when given, wins over the credential's user name.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CredentialSet)]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>Kolibri's identifier (id_number), stored upper-cased.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Identifier { get; set; }

    /// <summary>A year from 1900 to this year, DEFERRED, or empty.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? BirthYear { get; set; }

    /// <summary>MALE, FEMALE, NOT_SPECIFIED, DEFERRED or empty.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(GenderCompleter))]
    public string? Gender { get; set; }

    protected override void Process() =>
        AddUserEdit(new UserEdit { Action = UserEditAction.Create, Username = Username ?? Credential?.UserName }, FullName, UserType, Password, Credential, Identifier, BirthYear, Gender);

    protected override void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        if (PassThru)
        {
            WriteObject(new UserReader(database).Read(facility, UserQuery.All with { Usernames = edits.Users.Select(u => u.Username!).ToList() }), enumerateCollection: true);
        }
    }
}
