#Requires -Version 7.4
# The module's types by name in scripts: its assemblies live in a private load context, so the names are registered
# when the module is imported and removed when it is removed.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    $script:Accelerators = [psobject].Assembly.GetType('System.Management.Automation.TypeAccelerators')
}

Describe 'Naming the module''s types in a script' {
    It 'resolves enums by their full name' {
        [KolibriFacility.Core.Model.UserType]::LEARNER | Should -Be 'LEARNER'
        [KolibriFacility.Core.Model.UserType]'FACILITY_COACH' | Should -Be ([KolibriFacility.Core.Model.UserType]::FACILITY_COACH)
    }

    It 'checks output objects with -is and Should -BeOfType' {
        $log = Get-FacilityLog -Database $FixtureDatabase -Type Summary | Select-Object -First 1
        $log -is [KolibriFacility.Core.Logs.SummaryLog] | Should -BeTrue
        $log | Should -BeOfType KolibriFacility.Core.Logs.SummaryLog
        Get-FacilityUser -Database $FixtureDatabase -Username * | Select-Object -First 1 |
            Should -BeOfType KolibriFacility.Core.Model.FacilityUser
    }

    It 'binds a typed param() block, with the enum''s names offered and enforced' {
        function Get-Kind([KolibriFacility.Core.Model.UserType] $Type) { $Type }
        Get-Kind CLASS_COACH | Should -Be ([KolibriFacility.Core.Model.UserType]::CLASS_COACH)
        { Get-Kind teacher } | Should -Throw '*LEARNER, CLASS_COACH, FACILITY_COACH, ADMIN*'
    }

    It 'takes the names away with Remove-Module and brings them back with Import-Module' {
        $name = 'KolibriFacility.Core.Logs.SummaryLog'
        $script:Accelerators::Get.ContainsKey($name) | Should -BeTrue
        Remove-Module KolibriFacility
        try { $script:Accelerators::Get.ContainsKey($name) | Should -BeFalse }
        finally { Import-Module $ModuleManifest -Force }
        $script:Accelerators::Get.ContainsKey($name) | Should -BeTrue
    }
}
