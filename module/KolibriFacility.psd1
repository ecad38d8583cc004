@{
    # The module version lives here and only here: Directory.Build.props reads it for the assemblies.
    ModuleVersion        = '0.1.0'
    RootModule           = 'KolibriFacility.PowerShell.dll'
    GUID                 = '5d0c3d6e-7a41-4f7e-9a52-2f7f0b6e8c21'
    Author               = 'KolibriFacility contributors'
    CompanyName          = 'KolibriFacility'
    Copyright            = '(c) KolibriFacility contributors. MIT licence.'
    Description          = 'Administer Kolibri facilities from PowerShell: list and export users, import users with a full -WhatIf preview, generate usage logs, and register and sync with the Kolibri Data Portal. Works directly on Kolibri 0.17 databases.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('KolibriFacility.Format.ps1xml', 'KolibriFacility.Portal.Format.ps1xml', 'KolibriFacility.Import.Format.ps1xml', 'KolibriFacility.Logs.Format.ps1xml')
    TypesToProcess       = @('KolibriFacility.Types.ps1xml')
    CmdletsToExport      = @(
        'Get-Facility'
        'Get-FacilityUser'
        'Get-FacilityClass'
        'Export-FacilityUsers'
        'Import-FacilityUsers'
        'Get-FacilityImportPlan'
        'New-FacilityLog'
        'Get-FacilityLog'
        'Invoke-PortalSync'
        'Get-PortalSyncStatus'
        'New-FacilityDatabase'
        'New-FacilityUser'
        'Set-FacilityUser'
        'Remove-FacilityUser'
        'New-FacilityClass'
        'Set-FacilityClass'
        'Remove-FacilityClass'
        'Add-FacilityClassMember'
        'Remove-FacilityClassMember'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @('Export-FacilityUser', 'Import-FacilityUser')
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Kolibri', 'LearningEquality', 'Education', 'SQLite', 'CSV', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/kolibrifacility/KolibriFacility'
            LicenseUri   = 'https://github.com/kolibrifacility/KolibriFacility/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md in the module folder, or https://github.com/kolibrifacility/KolibriFacility/blob/main/CHANGELOG.md'
        }
    }
}
