#Requires -Version 7.4
# Import-FacilityUsers and Get-FacilityImportPlan: the admin stories of the import issue. Run with ./build.ps1 -Task Test.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')

    function New-FixtureCopy {
        $folder = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $folder | Out-Null
        $db = Join-Path $folder 'db.sqlite3'
        Copy-Item (Join-Path $FixtureFolder 'kolibri-small.sqlite3') $db
        $db
    }
}

Describe 'Import-FacilityUsers' {
    It 're-imports Kolibri''s own export as a plan with no changes' {
        $db = New-FixtureCopy
        $plan = Get-FacilityImportPlan -Database $db -Path (Join-Path $FixtureFolder 'users-export.csv')
        $plan.HasErrors | Should -BeFalse
        $plan.Changes | Should -HaveCount 0
        $plan.IsEmpty | Should -BeTrue
    }

    It 'previews every change with -WhatIf and writes nothing' {
        $db = New-FixtureCopy
        $csv = Join-Path $TestDrive 'edited.csv'
        Export-FacilityUsers -Database $db -Path $csv
        $rows = Import-Csv $csv
        $rows[0].'Full name (FULL_NAME)' = 'Renamed Learner'
        $rows | Export-Csv $csv -UseQuotes AsNeeded -Encoding utf8BOM
        $before = (Get-FileHash $db).Hash

        Import-FacilityUsers -Database $db -Path $csv -WhatIf
        (Get-FileHash $db).Hash | Should -Be $before
        $plan = Get-FacilityImportPlan -Database $db -Path $csv
        $plan.Changes | Should -HaveCount 1
        $plan.Changes[0].Action | Should -Be 'Update'
        ($plan.Changes[0].Fields | Where-Object Field -eq 'FULL_NAME').NewValue | Should -Be 'Renamed Learner'
    }

    It 'applies a reviewed plan and refuses it once the facility changed' {
        $db = New-FixtureCopy
        $csv = Join-Path $TestDrive 'one-more.csv'
        Export-FacilityUsers -Database $db -Path $csv
        Add-Content -Path $csv -Value ',newlearner,pass123,New Learner,LEARNER,,,,,'
        $plan = Get-FacilityImportPlan -Database $db -Path $csv
        $plan.Summary.UsersCreated | Should -Be 1

        $saved = Join-Path $TestDrive 'plan.xml'
        $plan | Export-Clixml $saved
        $result = Import-FacilityUsers -Plan (Import-Clixml $saved) -Confirm:$false -PassThru
        $result.Summary.UsersCreated | Should -Be 1
        $result.BackupPath | Should -Exist
        Get-FacilityUser -Database $db -Username newlearner | Should -HaveCount 1

        { Import-FacilityUsers -Plan $plan -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'ImportPlanStale,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand'
    }

    It 'writes nothing when a row has an error, and names row, column and value' {
        $db = New-FixtureCopy
        $csv = Join-Path $TestDrive 'bad.csv'
        Set-Content -Path $csv -Encoding utf8 -Value @(
            'USERNAME,PASSWORD,FULL_NAME,USER_TYPE'
            'okuser,pass123,OK User,LEARNER'
            'baduser,pass123,Bad User,TEACHER'
        )
        $before = (Get-FileHash $db).Hash
        $errors = @()
        { Import-FacilityUsers -Database $db -Path $csv -NoDelete -Confirm:$false -ErrorVariable +errors -ErrorAction Stop } | Should -Throw
        (Get-FileHash $db).Hash | Should -Be $before
        $plan = Get-FacilityImportPlan -Database $db -Path $csv -NoDelete
        $plan.Errors[0].Row | Should -Be 2
        $plan.Errors[0].Column | Should -Be 'USER_TYPE'
        $plan.Errors[0].Value | Should -Be 'TEACHER'
    }

    It 'imports the valid rows with -SkipInvalidRows and writes the rejected rows' {
        $db = New-FixtureCopy
        $csv = Join-Path $TestDrive 'mixed.csv'
        Set-Content -Path $csv -Encoding utf8 -Value @(
            'USERNAME,PASSWORD,FULL_NAME,USER_TYPE'
            'okuser,pass123,OK User,LEARNER'
            'baduser,pass123,Bad User,TEACHER'
        )
        $rejected = Join-Path $TestDrive 'rejected.csv'
        Import-FacilityUsers -Database $db -Path $csv -NoDelete -SkipInvalidRows -RejectedRowsPath $rejected -Confirm:$false -WarningAction SilentlyContinue
        Get-FacilityUser -Database $db -Username okuser | Should -HaveCount 1
        Get-FacilityUser -Database $db -Username baduser -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Import-Csv $rejected).ERRORS | Should -Match 'TEACHER'
    }

    It 'refuses mass deletions unless allowed' {
        $db = New-FixtureCopy
        $csv = Join-Path $TestDrive 'only-one.csv'
        Set-Content -Path $csv -Encoding utf8 -Value @('USERNAME,PASSWORD,FULL_NAME,USER_TYPE', 'okuser,pass123,OK User,LEARNER')
        { Import-FacilityUsers -Database $db -Path $csv -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'DeletionThresholdExceeded,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand'
        (Get-Facility -Database $db).UserCount | Should -Be 51
    }
}
