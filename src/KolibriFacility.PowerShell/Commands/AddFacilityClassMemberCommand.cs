using System.Management.Automation;
using KolibriFacility.Core.Model;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>Enrols users in a class as learners, or assigns them as its coaches (-Role Coach); their other classes stay.</summary>
[Cmdlet(VerbsCommon.Add, "FacilityClassMember", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, HelpUri = HelpLinks.AddFacilityClassMember)]
[OutputType(typeof(FacilityUser))]
public sealed class AddFacilityClassMemberCommand : ClassMemberCmdlet
{
    protected override bool Adding => true;
}
