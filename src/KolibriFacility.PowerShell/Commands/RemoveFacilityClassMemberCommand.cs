using System.Management.Automation;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Removes users from a class as learners (and from its learner groups), or as its coaches (-Role Coach); the users stay.</summary>
[Cmdlet(VerbsCommon.Remove, "FacilityClassMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.RemoveFacilityClassMember)]
[OutputType(typeof(FacilityUser))]
public sealed class RemoveFacilityClassMemberCommand : ClassMemberCmdlet
{
    protected override bool Adding => false;
}
