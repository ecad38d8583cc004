using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Commands;
using KolibriFacility.PowerShell.Completion;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>How a user belongs to a class: enrolled as a learner, or assigned as a coach.</summary>
public enum ClassMemberRole
{
    Learner,
    Coach,
}

/// <summary>
/// What Add-FacilityClassMember and Remove-FacilityClassMember share: one class, users from the pipeline, the role;
/// every piped user is one edit of the one plan (the users' other classes stay as they are).
/// </summary>
public abstract class ClassMemberCmdlet : AdditiveEditCmdlet, IDynamicParameters
{
    /// <summary>The class, by name.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Class { get; set; }

    /// <summary>The users. Takes usernames and FacilityUser objects from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(UsernameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Username { get; set; }

    /// <summary>-Id.</summary>
    public UserIdParameter User { get; } = new();

    public object GetDynamicParameters() => User;

    /// <summary>Learner (enrolment, default) or Coach (coach assignment).</summary>
    [Parameter]
    public ClassMemberRole Role { get; set; } = ClassMemberRole.Learner;

    /// <summary>True to add the users to the class, false to remove them.</summary>
    protected abstract bool Adding { get; }

    protected override void Process()
    {
        if (User.Id is not null)
        {
            CurrentEdits.Users.Add(Edit(User.Id, Username?.FirstOrDefault()));
            return;
        }

        foreach (var name in Username!)
        {
            CurrentEdits.Users.Add(Edit(null, name));
        }
    }

    private UserEdit Edit(string? id, string? username)
    {
        string[] classes = [Class!];
        return (Adding, Role) switch
        {
            (true, ClassMemberRole.Learner) => new UserEdit { Action = UserEditAction.Update, Id = id, Username = username, EnrolIn = classes },
            (true, _) => new UserEdit { Action = UserEditAction.Update, Id = id, Username = username, AssignTo = classes },
            (false, ClassMemberRole.Learner) => new UserEdit { Action = UserEditAction.Update, Id = id, Username = username, LeaveClasses = classes },
            _ => new UserEdit { Action = UserEditAction.Update, Id = id, Username = username, UnassignFrom = classes },
        };
    }

    protected override void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
        if (PassThru)
        {
            WriteObject(SetFacilityUserCommand.ChangedUsers(database, facility, edits), enumerateCollection: true);
        }
    }
}
