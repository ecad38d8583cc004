#Requires -Version 7.4
# New-FacilityDatabase: the sandbox an admin uses to try the module. Run with ./build.ps1 -Task Test.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
}

Describe 'New-FacilityDatabase' {
    It 'creates a sandbox whose facility the other cmdlets read' {
        $db = Join-Path $TestDrive 'demo/db.sqlite3'
        $facility = New-FacilityDatabase -Path $db -FacilityName 'Demo School' -SampleUsers 200 -Seed 42

        $facility.Name | Should -Be 'Demo School'
        $facility.UserCount | Should -Be 201
        $facility.IsDefault | Should -BeTrue
        (Get-Facility -Database $db).Id | Should -Be $facility.Id
        (Get-FacilityUser -Database $db -UserType LEARNER).Count | Should -BeGreaterThan 150
        Get-FacilityUser -Database $db -Username admin | Should -HaveCount 1
    }

    It 'works through KOLIBRI_HOME like a real Kolibri installation' {
        $home1 = Join-Path $TestDrive 'home'
        New-FacilityDatabase -Path (Join-Path $home1 'db.sqlite3') -SampleUsers 20 | Out-Null
        $saved = $env:KOLIBRI_HOME
        try {
            $env:KOLIBRI_HOME = $home1
            (Get-Facility).Name | Should -Be 'Sandbox School'
        }
        finally {
            $env:KOLIBRI_HOME = $saved
        }
    }

    It 'writes nothing with -WhatIf' {
        $db = Join-Path $TestDrive 'whatif.sqlite3'
        New-FacilityDatabase -Path $db -SampleUsers 10 -WhatIf
        Test-Path $db | Should -BeFalse
    }

    It 'refuses to replace an existing file without -Force' {
        $db = Join-Path $TestDrive 'existing.sqlite3'
        Set-Content -Path $db -Value 'keep me'
        { New-FacilityDatabase -Path $db -ErrorAction Stop } | Should -Throw -ErrorId 'FileExists,KolibriFacility.PowerShell.Commands.NewFacilityDatabaseCommand'
        Get-Content $db | Should -Be 'keep me'
        New-FacilityDatabase -Path $db -Force | Should -Not -BeNullOrEmpty
    }
}
