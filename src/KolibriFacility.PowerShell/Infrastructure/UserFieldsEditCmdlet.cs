using System.Management.Automation;
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
}
