#Requires -Version 7.4
# Issue 10.3 b: Kolibri's own importer accepts our export. Kolibri 0.17.5's bulkimportusers reads the file
# Export-FacilityUsers writes of the fixture, as a dry run and then for real with --delete (which would delete every
# user whose row Kolibri rejects or cannot match), and must report no error and change nothing but what Kolibri's own
# export format cannot carry; a second round on the result must change nothing at all. Every column of every user,
# class, membership and role, and the row count of every table, are compared before and after.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $Oracle = Join-Path $PSScriptRoot 'KolibriOracle.py'

    function Get-Step($Results, [string] $Name) { @($Results | Where-Object step -eq $Name | ForEach-Object result) }
    function Get-UserChanges($Before, $After) {
        # Every column of a user that differs, as "<username>.<column>: <before> -> <after>".
        $byId = @{}; foreach ($u in $After.users) { $byId[$u.id] = $u }
        foreach ($u in $Before.users) {
            if (-not $byId.ContainsKey($u.id)) { "$($u.username): deleted"; continue }
            foreach ($p in $u.PSObject.Properties) {
                $new = $byId[$u.id].($p.Name)
                if ("$new" -cne "$($p.Value)") { "$($u.username).$($p.Name): $($p.Value) -> $new" }
            }
        }
    }
}

Describe "Kolibri's bulkimportusers accepts Export-FacilityUsers of the fixture" {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        Initialize-KolibriHome -KolibriHome $kolibriHome
        $Export = Join-Path $TestDrive 'users.csv'
        $KolibriExport = Join-Path $TestDrive 'kolibri-users.csv'
        $SecondExport = Join-Path $TestDrive 'users-2.csv'
        Export-FacilityUsers -Database $kolibriHome -Path $Export

        $first = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriExport, '--overwrite') }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'table_counts' }
                @{ step = 'import_users'; path = $Export; facility_id = $FixtureFacilityId; delete = $true; dryrun = $true }
                @{ step = 'import_users'; path = $Export; facility_id = $FixtureFacilityId; delete = $true }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'table_counts' }
            ) }
        $Dumps = Get-Step $first 'dump_facility'
        $Counts = Get-Step $first 'table_counts'
        $Runs = Get-Step $first 'import_users'
        $Changes = @(Get-UserChanges $Dumps[0] $Dumps[1])

        # Second round: our export of what Kolibri's import left, imported again by Kolibri.
        Export-FacilityUsers -Database $kolibriHome -Path $SecondExport
        $second = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'import_users'; path = $SecondExport; facility_id = $FixtureFacilityId; delete = $true }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'table_counts' }
            ) }
        $Runs += Get-Step $second 'import_users'
        $Dumps += Get-Step $second 'dump_facility'
        $Counts += Get-Step $second 'table_counts'
        $SecondChanges = @(Get-UserChanges $Dumps[1] $Dumps[2])
    }

    It "the file Kolibri imports is the one its own bulkexportusers writes (every non-admin user)" {
        Compare-KolibriCsv -Expected $KolibriExport -Actual $Export -AnyRowOrder | Should -BeNullOrEmpty
        (Get-Content -LiteralPath $Export).Count | Should -Be ($Dumps[0].users.Count - 4 + 1) -Because 'the fixture has four admins, left out as Kolibri does, and a header'
    }

    It "Kolibri's <Run> (with --delete) reports no error, no user created or deleted, no class created or cleared" -ForEach @(
        @{ Index = 0; Run = 'dry run' }, @{ Index = 1; Run = 'real run' }, @{ Index = 2; Run = 'second real run' }
    ) {
        $run = $Runs[$Index]
        $run.error | Should -BeNullOrEmpty
        $run.report.'File errors' | Should -BeNullOrEmpty
        ConvertTo-Json -InputObject @($run.report.'Data errors') -Depth 5 | Should -Be '[]'
        $run.report.'Users report'.created | Should -Be 0
        $run.report.'Users report'.deleted | Should -Be 0
        $run.report.'Classes report'.created | Should -Be 0
        $run.report.'Classes report'.cleared | Should -Be 0
    }

    It "the first import changes only what Kolibri's own export format loses: NOT_SPECIFIED/DEFERRED written as empty, formula-escaped identifiers" {
        # Kolibri's importer counts and saves these users as updated, from its own export as from ours (the files are the same).
        $Changes.Count | Should -BeGreaterThan 0
        foreach ($change in $Changes) {
            $change | Should -Match "^\w+\.((gender|birth_year): (NOT_SPECIFIED|DEFERRED) -> |id_number: ([=+\-@|%].*) -> '\4)$"
        }
        $updatedUsers = @($Changes | ForEach-Object { $_.Split('.')[0] } | Sort-Object -Unique)
        $Runs[0].report.'Users report'.updated | Should -Be $updatedUsers.Count -Because 'the dry run counts what the real run does'
        $Runs[1].report.'Users report'.updated | Should -Be $updatedUsers.Count
    }

    It 'the second round changes nothing at all: Kolibri updates no user, and every column of every row is as before' {
        $Runs[2].report.'Users report'.updated | Should -Be 0
        $SecondChanges | Should -BeNullOrEmpty
        foreach ($part in 'users', 'collections', 'memberships', 'roles') {
            ConvertTo-Json -InputObject @($Dumps[2].$part) -Depth 5 | Should -BeExactly (ConvertTo-Json -InputObject @($Dumps[1].$part) -Depth 5) -Because "$part are unchanged"
        }
    }

    It 'no class, membership or role changes in either round' {
        foreach ($part in 'collections', 'memberships', 'roles') {
            @($Dumps[0].$part).Count | Should -BeGreaterThan 0
            ConvertTo-Json -InputObject @($Dumps[1].$part) -Depth 5 | Should -BeExactly (ConvertTo-Json -InputObject @($Dumps[0].$part) -Depth 5) -Because "$part are unchanged"
        }
    }

    It 'no table gained or lost a row in either round' {
        foreach ($table in $Counts[0].PSObject.Properties.Name) {
            $Counts[1].$table | Should -Be $Counts[0].$table -Because "rows of $table after the first round"
            $Counts[2].$table | Should -Be $Counts[0].$table -Because "rows of $table after the second round"
        }
    }
}
