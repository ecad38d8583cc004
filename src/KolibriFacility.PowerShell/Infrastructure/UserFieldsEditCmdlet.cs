using System.Management.Automation;
using System.Security;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Completion;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Base of New-FacilityUser and Set-FacilityUser: the class parameters they share (each adds to the user's classes).</summary>
public abstract class UserFieldsEditCmdlet : AdditiveEditCmdlet
{
    /// <summary>Classes to enrol the user in as a learner (existing classes; the user's other classes stay).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNull]
    public string[] Class { get; set; } = [];

    /// <summary>Classes the user coaches (coaches and admins; ignored with a warning for learners, as Kolibri does).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(ClassNameCompleter))]
    [ValidateNotNull]
    public string[] AssignTo { get; set; } = [];

    /// <summary>
    /// Adds the edit of one user: <paramref name="who"/> (the action and how the user is found) with the fields the
    /// command's parameters give (null leaves a field as it is), the password from -Password or -Credential and the classes.
    /// </summary>
    protected void AddUserEdit(UserEdit who, string? fullName, UserType? userType, SecureString? password, PSCredential? credential, string? identifier, string? birthYear, string? gender)
    {
        ArgumentNullException.ThrowIfNull(who);
        CurrentEdits.Users.Add(who with
        {
            FullName = fullName,
            UserType = userType,
            Password = Plain(password ?? credential?.Password),
            Identifier = identifier,
            BirthYear = birthYear,
            Gender = gender,
            EnrolIn = Class,
            AssignTo = AssignTo,
        });
    }
}
