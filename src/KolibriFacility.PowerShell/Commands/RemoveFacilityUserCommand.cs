using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Deletes facility users as the import deletes them (Kolibri's hard delete, with their memberships, roles, progress
/// and the lessons and quizzes they created). Admins and superusers are never deleted.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FacilityUser", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.RemoveFacilityUser)]
public sealed class RemoveFacilityUserCommand : DeletionEditCmdlet, IDynamicParameters
{
    /// <summary>The users to delete. Takes usernames and FacilityUser objects from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UsernameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Username { get; set; }

    /// <summary>-Id.</summary>
    public UserIdParameter User { get; } = new();

    public object GetDynamicParameters() => User;

    protected override void Process()
    {
        if (User.Id is not null)
        {
            CurrentEdits.Users.Add(new UserEdit { Action = UserEditAction.Delete, Id = User.Id, Username = Username?.FirstOrDefault() });
            return;
        }

        foreach (var name in Username!)
        {
            CurrentEdits.Users.Add(new UserEdit { Action = UserEditAction.Delete, Username = name });
        }
    }
}
