#Requires -Version 7.4
# Issue 10.3 a: Kolibri accepts what Import-FacilityUsers writes. On a copy of the fixture, Kolibri serialises the
# facility into morango's store (as a device that has synced once has it), the module imports a CSV with every kind
# of change, and then real Kolibri 0.17.5 judges the result in one process: its models' validation and save rules,
# Django's check_password, morango's serialisation into the store, its bulkexportusers and exportlogs.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $Oracle = Join-Path $PSScriptRoot 'KolibriOracle.py'

    function Get-Step($Results, [string] $Name) {
        $found = @($Results | Where-Object step -eq $Name)
        if ($found.Count -ne 1) { throw "Kolibri's script returned $($found.Count) results for step $Name" }
        $found[0].result
    }
}

Describe 'Kolibri 0.17.5 accepts what Import-FacilityUsers writes' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        Initialize-KolibriHome -KolibriHome $kolibriHome
        $work = Join-Path $TestDrive 'work'
        $null = New-Item -ItemType Directory -Path $work

        # The CSV: the module's export of the fixture, edited as an admin would in a spreadsheet.
        $exported = Join-Path $work 'before.csv'
        Export-FacilityUsers -Database $kolibriHome -Path $exported
        $rows = Read-KolibriUsersCsv -Path $exported
        $OriginalIds = @{}
        foreach ($name in $rows.Keys) { $OriginalIds[$name] = $rows[$name].UUID }
        # 'Science 7' is left out of every row: Kolibri's rule clears a class the file does not mention.
        foreach ($row in $rows.Values) {
            foreach ($column in 'ENROLLED_IN', 'ASSIGNED_TO') {
                $row.$column = (@($row.$column -split ',' | Where-Object { $_ -and $_ -ne 'Science 7' }) -join ',')
            }
        }
        Set-KolibriUsersCsvRow $rows learner01 @{ FULL_NAME = 'Rosa Tanaka-Ngata'; GENDER = 'FEMALE'; BIRTH_YEAR = '1986'; IDENTIFIER = 'ID-NEW-1' }
        Set-KolibriUsersCsvRow $rows learner02 @{ PASSWORD = 'N3w pass, "quoted" é' }
        Set-KolibriUsersCsvRow $rows learner03 @{ ENROLLED_IN = 'Reading Club,Class A' }
        Set-KolibriUsersCsvRow $rows learner04 @{ ENROLLED_IN = 'Class B' }
        Set-KolibriUsersCsvRow $rows learner05 @{ USER_TYPE = 'FACILITY_COACH'; ASSIGNED_TO = 'Class B' }
        Set-KolibriUsersCsvRow $rows ccoach1 @{ USER_TYPE = 'LEARNER'; ASSIGNED_TO = ''; ENROLLED_IN = 'Class A' }
        Set-KolibriUsersCsvRow $rows ccoach3 @{ ASSIGNED_TO = 'Grade 5 Math,Nouvelle Classe Été'; PASSWORD = 'coach-pass-3' }
        Set-KolibriUsersCsvRow $rows fcoach3 @{ ASSIGNED_TO = 'Class A' }
        Set-KolibriUsersCsvRow $rows learner10 @{ USERNAME = 'learner10_renamed' }
        Set-KolibriUsersCsvRow $rows learner11 @{ UUID = ''; FULL_NAME = 'Hana Smith-Okafor' }   # matched by username (the module's documented choice)
        Add-KolibriUsersCsvRow $rows @{ USERNAME = 'new_learner'; PASSWORD = 'learner-pw-1'; FULL_NAME = 'Zoë Ñandú'; BIRTH_YEAR = '2012'; GENDER = 'FEMALE'; ENROLLED_IN = 'Nouvelle Classe Été,Class A' }
        Add-KolibriUsersCsvRow $rows @{ USERNAME = 'new_ccoach'; PASSWORD = 'coach-pw-2'; FULL_NAME = 'Kwame Mensah'; USER_TYPE = 'CLASS_COACH'; ASSIGNED_TO = 'Class B,Evening Class'; IDENTIFIER = 'T-77' }
        Add-KolibriUsersCsvRow $rows @{ USERNAME = 'new_fcoach'; PASSWORD = 'coach-pw-3'; FULL_NAME = 'Ana, Maria'; USER_TYPE = 'FACILITY_COACH' }
        $Deleted = 'learner13', 'learner35', 'learner36', 'learner37', 'ccoach4', 'fcoach4'
        foreach ($name in $Deleted) { $rows.Remove($name) }
        $csv = Join-Path $work 'import.csv'
        Write-KolibriUsersCsv -Rows $rows -Path $csv

        $DeletedIds = @($Deleted | ForEach-Object { $OriginalIds[$_] })
        $ControlUser = $OriginalIds['learner12']   # enrolled in Class A before and after the import
        $before = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'serialize_store' }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'delete_cascade'; user_ids = $DeletedIds }
                @{ step = 'table_counts' }
            ) }
        $DumpBefore = Get-Step $before 'dump_facility'
        $KolibriCascade = Get-Step $before 'delete_cascade'
        $ControlMembership = @($DumpBefore.memberships | Where-Object user_id -eq $ControlUser)[0].id
        $TablesBefore = Get-Step $before 'table_counts'

        $ImportResult = Import-FacilityUsers -Database $kolibriHome -Path $csv -Confirm:$false -PassThru
        $OurUsers = Join-Path $work 'our-users.csv'
        $OurSession = Join-Path $work 'our-session.csv'
        $OurSummary = Join-Path $work 'our-summary.csv'
        Export-FacilityUsers -Database $kolibriHome -Path $OurUsers
        New-FacilityLog -Database $kolibriHome -Type Session -StartDate 2026-11-10 -EndDate 2026-11-15 -Path $OurSession
        New-FacilityLog -Database $kolibriHome -Type Summary -Path $OurSummary

        $Credentials = @(
            @{ username = 'learner02'; password = 'N3w pass, "quoted" é'; expected = $true }
            @{ username = 'learner02'; password = 'pass123'; expected = $false }
            @{ username = 'ccoach3'; password = 'coach-pass-3'; expected = $true }
            @{ username = 'new_learner'; password = 'learner-pw-1'; expected = $true }
            @{ username = 'new_ccoach'; password = 'coach-pw-2'; expected = $true }
            @{ username = 'new_fcoach'; password = 'coach-pw-3'; expected = $true }
            @{ username = 'new_fcoach'; password = 'coach-pw-2'; expected = $false }
            @{ username = 'learner01'; password = 'pass123'; expected = $true }           # updated, password kept
            @{ username = 'learner10_renamed'; password = 'pass123'; expected = $true }   # renamed, password kept
            @{ username = 'admin'; password = 'adminpass'; expected = $true }             # the superuser is untouched
        )
        $KolibriUsers = Join-Path $work 'kolibri-users.csv'
        $KolibriSession = Join-Path $work 'kolibri-session.csv'
        $KolibriSummary = Join-Path $work 'kolibri-summary.csv'
        $after = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'validate_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'check_passwords'; facility_id = $FixtureFacilityId; credentials = $Credentials }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'table_counts' }
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriUsers, '--overwrite', '--facility', $FixtureFacilityId) }
                @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'session', '--output-file', $KolibriSession, '--overwrite', '--facility', $FixtureFacilityId, '--start_date', '2026-11-10T00:00:00.000Z', '--end_date', '2026-11-15T00:00:00.000Z') }
                @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'summary', '--output-file', $KolibriSummary, '--overwrite', '--facility', $FixtureFacilityId) }
                # Negative controls, after everything else: what a writer that bypasses Kolibri's rules does is seen.
                @{ step = 'execute_sql'; statements = @(
                        @{ sql = 'UPDATE kolibriauth_facilityuser SET full_name = %s WHERE id = %s'; parameters = @('Changed without dirty bit', $OriginalIds['learner01']) }
                        @{ sql = 'UPDATE kolibriauth_facilityuser SET username = %s, _morango_dirty_bit = 1 WHERE id = %s'; parameters = @('bad name!', $OriginalIds['learner09']) }
                        @{ sql = 'UPDATE kolibriauth_membership SET id = %s, _morango_dirty_bit = 1 WHERE id = %s'; parameters = @('0123456789abcdef0123456789abcdef', $ControlMembership) }
                    ) }
                @{ step = 'validate_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
            ) }
        $Validation, $ControlValidation = @($after | Where-Object step -eq 'validate_facility' | ForEach-Object result)
        $Store, $ControlStore = @($after | Where-Object step -eq 'compare_store' | ForEach-Object result)
        $Passwords = Get-Step $after 'check_passwords'
        $DumpAfter = Get-Step $after 'dump_facility'
        $TablesAfter = Get-Step $after 'table_counts'
        $Commands = @($after | Where-Object step -eq 'manage' | ForEach-Object result)

        $UsersBefore = @{}; foreach ($u in $DumpBefore.users) { $UsersBefore[$u.id] = $u }
        $UsersAfter = @{}; foreach ($u in $DumpAfter.users) { $UsersAfter[$u.id] = $u }
        function Get-UserAfter([string] $Username) { @($DumpAfter.users | Where-Object username -ceq $Username)[0] }
    }

    It 'the import made every kind of change (creates, updates, renames, passwords, roles, enrolments, new classes, deletions)' {
        $ImportResult | Should -Not -BeNullOrEmpty
        $DumpAfter.users.Count | Should -Be ($DumpBefore.users.Count + 3 - 6)
        foreach ($id in $DeletedIds) { $UsersAfter.ContainsKey($id) | Should -BeFalse -Because "user $id is not in the CSV" }
        foreach ($name in 'new_learner', 'new_ccoach', 'new_fcoach') { Get-UserAfter $name | Should -Not -BeNullOrEmpty -Because "$name is a new row" }

        $learner01 = $UsersAfter[$OriginalIds['learner01']]
        $learner01.full_name | Should -BeExactly 'Rosa Tanaka-Ngata'
        $learner01.gender | Should -BeExactly 'FEMALE'
        $learner01.birth_year | Should -BeExactly '1986'
        $learner01.id_number | Should -BeExactly 'ID-NEW-1'
        $UsersAfter[$OriginalIds['learner10']].username | Should -BeExactly 'learner10_renamed'
        $UsersAfter[$OriginalIds['learner11']].full_name | Should -BeExactly 'Hana Smith-Okafor'
        $UsersAfter[$OriginalIds['learner02']].password | Should -Not -Be $UsersBefore[$OriginalIds['learner02']].password
        $UsersAfter[$OriginalIds['learner01']].password | Should -Be $UsersBefore[$OriginalIds['learner01']].password

        Get-KolibriDumpFacilityRole $DumpAfter $OriginalIds['learner05'] $FixtureFacilityId | Should -Be @('coach')
        Get-KolibriDumpFacilityRole $DumpAfter $OriginalIds['ccoach1'] $FixtureFacilityId | Should -BeNullOrEmpty
        Get-KolibriDumpFacilityRole $DumpAfter (Get-UserAfter 'new_ccoach').id $FixtureFacilityId | Should -Be @('classroom assignable coach')
        Get-KolibriDumpClass $DumpAfter $OriginalIds['learner03'] 'enrolled' | Should -Be @('Class A', 'Reading Club')
        Get-KolibriDumpClass $DumpAfter $OriginalIds['learner04'] 'enrolled' | Should -Be @('Class B')
        Get-KolibriDumpClass $DumpAfter $OriginalIds['ccoach1'] 'assigned' | Should -BeNullOrEmpty
        Get-KolibriDumpClass $DumpAfter $OriginalIds['ccoach3'] 'assigned' | Should -Be @('Grade 5 Math', 'Nouvelle Classe Été')
        Get-KolibriDumpClass $DumpAfter (Get-UserAfter 'new_learner').id 'enrolled' | Should -Be @('Class A', 'Nouvelle Classe Été')
        Get-KolibriDumpClass $DumpAfter (Get-UserAfter 'new_ccoach').id 'assigned' | Should -Be @('Class B', 'Evening Class')
        @($DumpAfter.collections | Where-Object kind -eq 'classroom' | ForEach-Object name | Sort-Object) |
            Should -Be @('Class A', 'Class B', 'Evening Class', 'Grade 5 Math', 'Nouvelle Classe Été', 'Reading Club', 'Science 7')
        $science = @($DumpAfter.collections | Where-Object name -eq 'Science 7')[0].id
        @($DumpAfter.memberships | Where-Object collection_id -eq $science) | Should -BeNullOrEmpty -Because 'a class the CSV does not mention is cleared'
        @($DumpAfter.roles | Where-Object collection_id -eq $science) | Should -BeNullOrEmpty
    }

    It "Kolibri's models accept every user, class, membership and role (full_clean, ensure_dataset, morango ids, save)" {
        $Validation.checked | Should -Be ($Validation.counts.collections + $Validation.counts.users + $Validation.counts.memberships + $Validation.counts.roles)
        $Validation.counts.users | Should -Be $DumpAfter.users.Count
        ConvertTo-Json -InputObject @($Validation.problems) -Depth 5 | Should -Be '[]' -Because 'Kolibri reports no problem'
    }

    It 'the checks see what a writer that bypasses Kolibri does (negative controls, run last)' {
        $problems = @($ControlValidation.problems)
        @($problems | Where-Object { $_.id -eq $OriginalIds['learner09'] -and $_.check -eq 'full_clean' }) | Should -HaveCount 1 -Because 'a username with a space and ! fails full_clean'
        @($problems | Where-Object { $_.id -eq '0123456789abcdef0123456789abcdef' -and $_.check -eq 'morango' }) | Should -HaveCount 1 -Because "a membership id that is not morango's hash is seen"
        $problems | Should -HaveCount 2
        @($ControlStore.mismatched | Where-Object { $_.id -eq $OriginalIds['learner01'] -and $_.fields -contains 'full_name' }) | Should -HaveCount 1 -Because 'a change without the dirty bit never reaches the store'
    }

    It "every new or changed password passes Django's check_password, hashed as Kolibri would (no rehash needed)" {
        foreach ($c in $Passwords) {
            $c.found | Should -BeTrue -Because "$($c.username) exists"
            $c.accepted | Should -Be $c.expected -Because "check_password of $($c.username) with '$($c.password)'"
            $c.must_update | Should -BeFalse -Because "the hash of $($c.username) has Kolibri's PBKDF2 settings"
        }
    }

    It "morango serialises every changed and created row into its store with the new values" {
        $Store.rows | Should -BeGreaterThan 7000
        $Store.dirty | Should -BeNullOrEmpty -Because 'serialisation takes every dirty row'
        $Store.missing | Should -BeNullOrEmpty -Because 'every row is in the store'
        ConvertTo-Json -InputObject @($Store.mismatched) -Depth 5 | Should -Be '[]' -Because "each store record holds what morango serialises from the row now (an import that did not set the dirty bit leaves the old values)"
    }

    It "every row the import removed is marked deleted in the store: what Kolibri's user delete cascades to hard-deleted, removed enrolments and roles soft-deleted" {
        $gone = @{}; foreach ($g in $Store.gone) { $gone[$g.id] = $g }
        @($Store.gone | Where-Object { -not $_.deleted } | ForEach-Object { "$($_.model) $($_.id)" }) | Should -BeNullOrEmpty -Because 'a store record whose row is gone is marked deleted'

        $cascade = [System.Collections.Generic.HashSet[string]]::new([string[]] @($KolibriCascade.syncable))
        $cascade.Count | Should -BeGreaterThan 300 -Because "the deleted users' logs, memberships, roles and lessons go with them"
        @($cascade | Where-Object { -not $gone.ContainsKey($_) }) | Should -BeNullOrEmpty -Because "Kolibri's delete of the users removes these rows"
        @($cascade | Where-Object { -not ($gone[$_].hard_deleted -and $gone[$_].purged) } | ForEach-Object { "$($gone[$_].model) $_" }) |
            Should -BeNullOrEmpty -Because 'what goes with a hard-deleted user is hard-deleted, its data purged from the store'

        # The rest of what is gone: memberships and coach roles the CSV removed from users that stay.
        $keptUserIds = @{}; foreach ($u in $DumpAfter.users) { $keptUserIds[$u.id] = $true }
        $stillThere = [System.Collections.Generic.HashSet[string]]::new([string[]] @(@($DumpAfter.memberships) + @($DumpAfter.roles) | ForEach-Object id))
        $removed = [System.Collections.Generic.HashSet[string]]::new([string[]] @(@($DumpBefore.memberships) + @($DumpBefore.roles) |
                    Where-Object { $keptUserIds[$_.user_id] -and -not $stillThere.Contains($_.id) } | ForEach-Object id))
        $removed.Count | Should -BeGreaterThan 5
        @($removed | Where-Object { -not $gone.ContainsKey($_) }) | Should -BeNullOrEmpty -Because 'these memberships and roles were removed'
        @($removed | Where-Object { $gone[$_].hard_deleted }) | Should -BeNullOrEmpty -Because "Kolibri's importer removes them with a plain (soft) delete"
        @($Store.gone | Where-Object { -not $cascade.Contains($_.id) -and -not $removed.Contains($_.id) }) | Should -BeNullOrEmpty -Because 'nothing else was deleted'
    }

    It "the import deletes from every other table exactly what Kolibri's delete of those users does" {
        $changedByImport = 'kolibriauth_facilityuser', 'kolibriauth_membership', 'kolibriauth_role', 'kolibriauth_collection'
        foreach ($table in $TablesBefore.PSObject.Properties.Name) {
            if ($table -in $changedByImport -or $table -like 'morango_*') { continue }
            $kolibri = if ($KolibriCascade.rows.PSObject.Properties[$table]) { $KolibriCascade.rows.$table } else { 0 }
            ($TablesBefore.$table - $TablesAfter.$table) | Should -Be $kolibri -Because "rows of $table deleted"
        }
        $KolibriCascade.rows.logger_contentsessionlog | Should -BeGreaterThan 200
        $KolibriCascade.rows.lessons_lesson | Should -Be 2 -Because "fcoach4's lessons go with the user"
    }

    It "Kolibri's bulkexportusers of the result equals Export-FacilityUsers (rows as sets: Kolibri's query has no ORDER BY)" {
        $Commands | ForEach-Object { $_.error | Should -BeNullOrEmpty }
        Compare-KolibriCsv -Expected $KolibriUsers -Actual $OurUsers -AnyRowOrder | Should -BeNullOrEmpty
        (Get-Content -LiteralPath $OurUsers).Count | Should -Be ($DumpAfter.users.Count - 4 + 1) -Because 'every user but the four admins, and the header'
    }

    It "Kolibri's exportlogs equals New-FacilityLog after the import deleted and renamed users (session with a date range, summary; rows as sets: no ORDER BY)" {
        Compare-KolibriCsv -Expected $KolibriSession -Actual $OurSession -AnyRowOrder | Should -BeNullOrEmpty
        Compare-KolibriCsv -Expected $KolibriSummary -Actual $OurSummary -AnyRowOrder | Should -BeNullOrEmpty
        (Get-Content -LiteralPath $OurSession).Count | Should -BeGreaterThan 500
        (Get-Content -LiteralPath $OurSession) -match ',learner10_renamed,' | Should -Not -BeNullOrEmpty
        (Get-Content -LiteralPath $OurSummary) -match ',learner13,' | Should -BeNullOrEmpty -Because "learner13's logs went with the user"
    }
}
