namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Each cmdlet's HelpUri (Get-Help -Online): its markdown help page in the repository, the same page the MAML help is
/// generated from (docs/help). The base address lives here only.
/// </summary>
internal static class HelpLinks
{
    private const string Base = "https://github.com/kolibrifacility/KolibriFacility/blob/main/docs/help/";

    public const string GetFacility = Base + "Get-Facility.md";
    public const string GetFacilityUser = Base + "Get-FacilityUser.md";
    public const string GetFacilityClass = Base + "Get-FacilityClass.md";
    public const string ExportFacilityUsers = Base + "Export-FacilityUsers.md";
    public const string ImportFacilityUsers = Base + "Import-FacilityUsers.md";
    public const string GetFacilityImportPlan = Base + "Get-FacilityImportPlan.md";
    public const string NewFacilityLog = Base + "New-FacilityLog.md";
    public const string GetFacilityLog = Base + "Get-FacilityLog.md";
    public const string InvokePortalSync = Base + "Invoke-PortalSync.md";
    public const string GetPortalSyncStatus = Base + "Get-PortalSyncStatus.md";
    public const string NewFacilityDatabase = Base + "New-FacilityDatabase.md";
    public const string NewFacilityUser = Base + "New-FacilityUser.md";
    public const string SetFacilityUser = Base + "Set-FacilityUser.md";
    public const string RemoveFacilityUser = Base + "Remove-FacilityUser.md";
    public const string NewFacilityClass = Base + "New-FacilityClass.md";
    public const string SetFacilityClass = Base + "Set-FacilityClass.md";
    public const string RemoveFacilityClass = Base + "Remove-FacilityClass.md";
    public const string AddFacilityClassMember = Base + "Add-FacilityClassMember.md";
    public const string RemoveFacilityClassMember = Base + "Remove-FacilityClassMember.md";
}
