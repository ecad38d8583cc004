#Requires -Version 7.4
# Issue 14: real Kolibri 0.17.5 on PostgreSQL judges what the module writes there. Each story gets its own copy of the
# fixture's PostgreSQL twin in a private cluster (a KOLIBRI_HOME whose options.ini says postgres, read alike by Kolibri
# and the module). The module imports a CSV with every kind of change; then Kolibri, in one process, validates every
# row (KolibriOracle.py, the same checks as on SQLite in KolibriAccepts), checks the passwords, serialises the changes
# into morango's store and exports the users; its server signs the new users in, also after the edit cmdlets wrote
# while it ran; and an undo gives back the export Kolibri made before the import.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $Oracle = Join-Path $PSScriptRoot 'KolibriOracle.py'
    $Postgres = Start-TestPostgres
    $FacilityId = '13ef67cfd227458fdb7dac03cafa05f4'   # the PostgreSQL fixture's facility

    function Get-Step($Results, [string] $Name) {
        @($Results | Where-Object step -eq $Name | ForEach-Object result)
    }

    function New-ImportStory([string] $Name) {
        # A story's own copy of the fixture's database (Home, its KOLIBRI_HOME), a Work folder, and the CSV to import
        # (Csv): the module's export of the facility, edited as an admin would in a spreadsheet: new learners, coaches
        # and an admin with passwords and unicode names, new classes, enrolments and assignments, updates, a rename,
        # a password change, a role change and two users left out (deleted, one of them with learner progress).
        $kolibriHome = (New-TestPostgresHome $Postgres).Home
        $work = Join-Path $TestDrive $Name
        $null = New-Item -ItemType Directory -Path $work
        $exported = Join-Path $work 'before.csv'
        Export-FacilityUsers -Database $kolibriHome -Path $exported
        $rows = Read-KolibriUsersCsv -Path $exported
        $ids = @{}
        foreach ($name in $rows.Keys) { $ids[$name] = $rows[$name].UUID }
        Set-KolibriUsersCsvRow $rows learner01 @{ FULL_NAME = 'Rosa Tanaka-Ngata'; GENDER = 'FEMALE'; BIRTH_YEAR = '1986'; IDENTIFIER = 'ID-NEW-1' }
        Set-KolibriUsersCsvRow $rows learner02 @{ PASSWORD = 'N3w pass, "quoted" é' }
        Set-KolibriUsersCsvRow $rows learner03 @{ ENROLLED_IN = 'Reading Club,Class A' }
        Set-KolibriUsersCsvRow $rows learner05 @{ USER_TYPE = 'FACILITY_COACH'; ASSIGNED_TO = 'Class B'; ENROLLED_IN = '' }
        Set-KolibriUsersCsvRow $rows learner10 @{ USERNAME = 'learner10_renamed' }
        $new = [ordered]@{
            new_learner = @{ PASSWORD = 'learner-pw-1'; FULL_NAME = 'Zoë Ñandú'; BIRTH_YEAR = '2012'; GENDER = 'FEMALE'; ENROLLED_IN = 'Nouvelle Classe Été,Class A' }
            new_learner2 = @{ PASSWORD = 'learner-pw-2'; FULL_NAME = '李小龍 Đặng'; ENROLLED_IN = 'Class B' }
            new_ccoach = @{ PASSWORD = 'coach-pw-2'; FULL_NAME = 'Kwame Mensah'; USER_TYPE = 'CLASS_COACH'; ASSIGNED_TO = 'Class B,Evening Class'; IDENTIFIER = 'T-77' }
            new_fcoach = @{ PASSWORD = 'coach-pw-3'; FULL_NAME = 'Ana, Maria'; USER_TYPE = 'FACILITY_COACH'; ASSIGNED_TO = 'Grade 5 Math' }
            new_admin = @{ PASSWORD = 'admin-pw-4 ü'; FULL_NAME = 'Łukasz Żółć'; USER_TYPE = 'ADMIN' }
        }
        foreach ($name in $new.Keys) { Add-KolibriUsersCsvRow $rows ($new[$name] + @{ USERNAME = $name }) }
        $deleted = 'learner13', 'ccoach4'
        foreach ($name in $deleted) { $rows.Remove($name) }
        $csv = Join-Path $work 'import.csv'
        Write-KolibriUsersCsv -Rows $rows -Path $csv
        $passwords = [ordered]@{}
        foreach ($name in $new.Keys) { $passwords[$name] = $new[$name].PASSWORD }
        [pscustomobject]@{
            Home        = $kolibriHome
            Work        = $work
            Csv         = $csv
            OriginalIds = $ids
            Deleted     = $deleted
            DeletedIds  = @($deleted | ForEach-Object { $ids[$_] })
            NewUsers    = $passwords
        }
    }
}

AfterAll {
    Stop-TestPostgres $Postgres
}

Describe 'Kolibri 0.17.5 on PostgreSQL accepts what Import-FacilityUsers writes and signs the new users in' {
    BeforeAll {
        $Story = New-ImportStory 'accepts'
        $work = $Story.Work
        $OriginalIds = $Story.OriginalIds

        # Kolibri first serialises the facility into morango's store, as a device that has synced once has it.
        $before = Invoke-KolibriPython -KolibriHome $Story.Home -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'serialize_store' }
                @{ step = 'dump_facility'; facility_id = $FacilityId }
                @{ step = 'delete_cascade'; user_ids = $Story.DeletedIds }
                @{ step = 'table_counts' }
            ) }
        $DumpBefore = Get-Step $before 'dump_facility'
        $KolibriCascade = Get-Step $before 'delete_cascade'
        $TablesBefore = Get-Step $before 'table_counts'

        $ImportResult = Import-FacilityUsers -Database $Story.Home -Path $Story.Csv -Confirm:$false -PassThru -ErrorAction Stop
        $OurUsers = Join-Path $work 'our-users.csv'
        Export-FacilityUsers -Database $Story.Home -Path $OurUsers

        $Credentials = @(
            foreach ($name in $Story.NewUsers.Keys) { @{ username = $name; password = $Story.NewUsers[$name]; expected = $true } }
            @{ username = 'new_fcoach'; password = 'coach-pw-2'; expected = $false }
            @{ username = 'learner02'; password = 'N3w pass, "quoted" é'; expected = $true }
            @{ username = 'learner02'; password = 'pass123'; expected = $false }
            @{ username = 'learner01'; password = 'pass123'; expected = $true }           # updated, password kept
            @{ username = 'learner10_renamed'; password = 'pass123'; expected = $true }   # renamed, password kept
            @{ username = 'admin'; password = 'adminpass'; expected = $true }             # the superuser is untouched
        )
        $KolibriUsers = Join-Path $work 'kolibri-users.csv'
        $after = Invoke-KolibriPython -KolibriHome $Story.Home -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'validate_facility'; facility_id = $FacilityId }
                @{ step = 'check_passwords'; facility_id = $FacilityId; credentials = $Credentials }
                @{ step = 'dump_facility'; facility_id = $FacilityId }
                @{ step = 'table_counts' }
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriUsers, '--overwrite', '--facility', $FacilityId) }
                # Last: the fixture's formal preset lets learners sign in without a password; the server below must
                # check every password, so the facility stops allowing that (an admin's setting in Kolibri).
                @{ step = 'execute_sql'; statements = @(@{ sql = 'UPDATE kolibriauth_facilitydataset SET learner_can_login_with_no_password = FALSE' }) }
            ) }
        $Validation = Get-Step $after 'validate_facility'
        $Passwords = Get-Step $after 'check_passwords'
        $DumpAfter = Get-Step $after 'dump_facility'
        $TablesAfter = Get-Step $after 'table_counts'
        $Store = Get-Step $after 'compare_store'
        $Export = Get-Step $after 'manage'

        $UsersBefore = @{}; foreach ($u in $DumpBefore.users) { $UsersBefore[$u.id] = $u }
        $UsersAfter = @{}; foreach ($u in $DumpAfter.users) { $UsersAfter[$u.id] = $u }
        function Get-UserAfter([string] $Username) { @($DumpAfter.users | Where-Object username -ceq $Username)[0] }
    }

    It 'the import made every kind of change in the PostgreSQL database (creates, updates, rename, password, roles, enrolments, new classes, deletions)' {
        $ImportResult | Should -Not -BeNullOrEmpty
        $DumpAfter.users.Count | Should -Be ($DumpBefore.users.Count + $Story.NewUsers.Count - $Story.Deleted.Count)
        foreach ($id in $Story.DeletedIds) { $UsersAfter.ContainsKey($id) | Should -BeFalse -Because "user $id is not in the CSV" }
        $learner01 = $UsersAfter[$OriginalIds['learner01']]
        $learner01.full_name | Should -BeExactly 'Rosa Tanaka-Ngata'
        $learner01.gender | Should -BeExactly 'FEMALE'
        $learner01.birth_year | Should -BeExactly '1986'
        $learner01.id_number | Should -BeExactly 'ID-NEW-1'
        $UsersAfter[$OriginalIds['learner10']].username | Should -BeExactly 'learner10_renamed'
        $UsersAfter[$OriginalIds['learner02']].password | Should -Not -Be $UsersBefore[$OriginalIds['learner02']].password
        $UsersAfter[$OriginalIds['learner01']].password | Should -Be $UsersBefore[$OriginalIds['learner01']].password

        (Get-UserAfter 'new_learner2').full_name | Should -BeExactly '李小龍 Đặng'
        (Get-UserAfter 'new_admin').full_name | Should -BeExactly 'Łukasz Żółć'
        Get-KolibriDumpFacilityRole $DumpAfter (Get-UserAfter 'new_admin').id $FacilityId | Should -Be @('admin')
        Get-KolibriDumpFacilityRole $DumpAfter (Get-UserAfter 'new_fcoach').id $FacilityId | Should -Be @('coach')
        Get-KolibriDumpFacilityRole $DumpAfter (Get-UserAfter 'new_ccoach').id $FacilityId | Should -Be @('classroom assignable coach')
        Get-KolibriDumpFacilityRole $DumpAfter $OriginalIds['learner05'] $FacilityId | Should -Be @('coach')
        Get-KolibriDumpClass $DumpAfter $OriginalIds['learner03'] 'enrolled' | Should -Be @('Class A', 'Reading Club')
        Get-KolibriDumpClass $DumpAfter $OriginalIds['learner05'] 'assigned' | Should -Be @('Class B')
        Get-KolibriDumpClass $DumpAfter (Get-UserAfter 'new_learner').id 'enrolled' | Should -Be @('Class A', 'Nouvelle Classe Été')
        Get-KolibriDumpClass $DumpAfter (Get-UserAfter 'new_ccoach').id 'assigned' | Should -Be @('Class B', 'Evening Class')
        @($DumpAfter.collections | Where-Object kind -eq 'classroom' | ForEach-Object name | Sort-Object) |
            Should -Be @('Class A', 'Class B', 'Evening Class', 'Grade 5 Math', 'Nouvelle Classe Été', 'Reading Club', 'Science 7')
    }

    It "Kolibri's models accept every user, class, membership and role (full_clean, ensure_dataset, morango ids, save)" {
        $Validation.checked | Should -Be ($Validation.counts.collections + $Validation.counts.users + $Validation.counts.memberships + $Validation.counts.roles)
        $Validation.counts.users | Should -Be $DumpAfter.users.Count
        ConvertTo-Json -InputObject @($Validation.problems) -Depth 5 | Should -Be '[]' -Because 'Kolibri reports no problem'
    }

    It "every new or changed password passes Django's check_password, hashed as Kolibri would (no rehash needed)" {
        $Passwords.Count | Should -Be $Credentials.Count
        foreach ($c in $Passwords) {
            $c.found | Should -BeTrue -Because "$($c.username) exists"
            $c.accepted | Should -Be $c.expected -Because "check_password of $($c.username) with '$($c.password)'"
            $c.must_update | Should -BeFalse -Because "the hash of $($c.username) has Kolibri's PBKDF2 settings"
        }
    }

    It "morango serialises every changed and created row into its store with the new values, and marks what the import removed deleted" {
        $Store.dirty | Should -BeNullOrEmpty -Because 'serialisation takes every dirty row'
        $Store.missing | Should -BeNullOrEmpty -Because 'every row is in the store'
        ConvertTo-Json -InputObject @($Store.mismatched) -Depth 5 | Should -Be '[]' -Because 'each store record holds what morango serialises from the row now (a row written without the dirty bit keeps its old values there)'
        @($Store.gone | Where-Object { -not $_.deleted } | ForEach-Object { "$($_.model) $($_.id)" }) | Should -BeNullOrEmpty -Because 'a store record whose row is gone is marked deleted'
        $gone = @{}; foreach ($g in $Store.gone) { $gone[$g.id] = $g }
        foreach ($id in $Story.DeletedIds) {
            $gone[$id].hard_deleted | Should -BeTrue -Because "the deleted user $id is hard-deleted, as Kolibri's importer deletes"
        }
        @($KolibriCascade.syncable | Where-Object { -not $gone.ContainsKey($_) }) | Should -BeNullOrEmpty -Because "what Kolibri's delete of those users removes is gone from the store too"
    }

    It "the import deletes from every other table exactly what Kolibri's delete of those users does" {
        $changedByImport = 'kolibriauth_facilityuser', 'kolibriauth_membership', 'kolibriauth_role', 'kolibriauth_collection'
        foreach ($table in $TablesBefore.PSObject.Properties.Name) {
            if ($table -in $changedByImport -or $table -like 'morango_*') { continue }
            $kolibri = if ($KolibriCascade.rows.PSObject.Properties[$table]) { $KolibriCascade.rows.$table } else { 0 }
            ($TablesBefore.$table - $TablesAfter.$table) | Should -Be $kolibri -Because "rows of $table deleted"
        }
        $KolibriCascade.rows.logger_contentsessionlog | Should -BeGreaterThan 0 -Because "learner13's progress goes with the user"
    }

    It "Kolibri's bulkexportusers of the result equals Export-FacilityUsers (rows as sets: Kolibri's query has no ORDER BY)" {
        $Export.error | Should -BeNullOrEmpty
        Compare-KolibriCsv -Expected $KolibriUsers -Actual $OurUsers -AnyRowOrder | Should -BeNullOrEmpty
        (Get-Content -LiteralPath $OurUsers) -match '^[0-9a-f]{32},new_learner2,\*,李小龍 Đặng,LEARNER,' | Should -Not -BeNullOrEmpty
    }

    Context "Kolibri's server on the same PostgreSQL database" {
        BeforeAll {
            $KolibriServer = Start-KolibriServer -KolibriHome $Story.Home -TimeoutSeconds 300
        }

        AfterAll {
            if ($KolibriServer) { Stop-KolibriServer $KolibriServer }
        }

        It "signs every user the import created in with the CSV password, and refuses wrong ones" {
            foreach ($name in $Story.NewUsers.Keys) {
                $login = Invoke-KolibriLogin -Server $KolibriServer -Username $name -Password $Story.NewUsers[$name] -FacilityId $FacilityId
                $login.StatusCode | Should -Be 200 -Because "$name signs in with its CSV password: $($login.Body)"
                ($login.Body | ConvertFrom-Json).user_id | Should -Be (Get-UserAfter $name).id
            }
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'new_ccoach' -Password 'coach-pw-3' -FacilityId $FacilityId).StatusCode | Should -Be 401
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'new_admin' -Password 'admin-pw-4 u' -FacilityId $FacilityId).StatusCode | Should -Be 401
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'new_learner' -Password 'learner-pw-2' -FacilityId $FacilityId).StatusCode | Should -Be 401 -Because 'the facility makes learners sign in with their password too'
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'learner02' -Password 'N3w pass, "quoted" é' -FacilityId $FacilityId).StatusCode | Should -Be 200
        }

        It 'while it runs, Set-FacilityUser -Password and New-FacilityUser write, and it signs those users in with the new passwords' {
            $reset = 'Reset-Pw-9931 ß'
            $created = 'Olga-Pw-4711'
            Get-FacilityUser -Database $Story.Home ccoach2 | Set-FacilityUser -Password (ConvertTo-SecureString $reset -AsPlainText -Force) -ErrorAction Stop
            New-FacilityUser -Database $Story.Home -Username olga -FullName 'Ольга Петрова' -UserType FACILITY_COACH -AssignTo 'Class A' `
                -Password (ConvertTo-SecureString $created -AsPlainText -Force) -ErrorAction Stop
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'ccoach2' -Password $reset -FacilityId $FacilityId).StatusCode | Should -Be 200
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'ccoach2' -Password 'pass123' -FacilityId $FacilityId).StatusCode | Should -Be 401
            (Invoke-KolibriLogin -Server $KolibriServer -Username 'olga' -Password $reset -FacilityId $FacilityId).StatusCode | Should -Be 401
            $login = Invoke-KolibriLogin -Server $KolibriServer -Username 'olga' -Password $created -FacilityId $FacilityId
            $login.StatusCode | Should -Be 200 -Because $login.Body
            ($login.Body | ConvertFrom-Json).full_name | Should -BeExactly 'Ольга Петрова'
            Get-KolibriLogProblem $KolibriServer | Should -BeNullOrEmpty
        }
    }
}

Describe 'Undo-FacilityImport on PostgreSQL gives back what Kolibri exported before the import' {
    BeforeAll {
        $Story = New-ImportStory 'undo'
        $work = $Story.Work
        $KolibriBefore = Join-Path $work 'kolibri-before.csv'
        $before = Invoke-KolibriPython -KolibriHome $Story.Home -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'serialize_store' }
                @{ step = 'dump_facility'; facility_id = $FacilityId }
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriBefore, '--overwrite', '--facility', $FacilityId) }
            ) }
        $DumpBefore = Get-Step $before 'dump_facility'

        $ImportResult = Import-FacilityUsers -Database $Story.Home -Path $Story.Csv -Confirm:$false -PassThru -ErrorAction Stop
        $OurImported = Join-Path $work 'our-imported.csv'
        Export-FacilityUsers -Database $Story.Home -Path $OurImported
        # Morango takes the import into its store (as a sync would), so the undo must be seen there too.
        $imported = Invoke-KolibriPython -KolibriHome $Story.Home -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
                @{ step = 'dump_facility'; facility_id = $FacilityId }
            ) }
        $StoreImported = Get-Step $imported 'compare_store'
        $DumpImported = Get-Step $imported 'dump_facility'
        $UndoResult = Undo-FacilityImport -Database $Story.Home -Last -Confirm:$false -PassThru -ErrorAction Stop -WarningVariable UndoWarnings

        $KolibriAfter = Join-Path $work 'kolibri-after.csv'
        $after = Invoke-KolibriPython -KolibriHome $Story.Home -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'validate_facility'; facility_id = $FacilityId }
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
                @{ step = 'dump_facility'; facility_id = $FacilityId }
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriAfter, '--overwrite', '--facility', $FacilityId) }
            ) }
        $Validation = Get-Step $after 'validate_facility'
        $Store = Get-Step $after 'compare_store'
        $DumpAfter = Get-Step $after 'dump_facility'
        $Exports = @(Get-Step $before 'manage') + @(Get-Step $after 'manage')
    }

    It 'the import changed the facility, and the undo took all of it back without a refusal' {
        $ImportResult | Should -Not -BeNullOrEmpty
        Compare-KolibriCsv -Expected $KolibriBefore -Actual $OurImported -AnyRowOrder | Should -Not -BeNullOrEmpty -Because 'the import changed the users'
        $UndoResult | Should -Not -BeNullOrEmpty
        $UndoWarnings | Should -BeNullOrEmpty
    }

    It "Kolibri's bulkexportusers after the undo equals its export before the import (rows as sets)" {
        $Exports | ForEach-Object { $_.error | Should -BeNullOrEmpty }
        Compare-KolibriCsv -Expected $KolibriBefore -Actual $KolibriAfter -AnyRowOrder | Should -BeNullOrEmpty
    }

    It 'every user, class, membership and role is back exactly as Kolibri had it (ids, password hashes, morango fields)' {
        ConvertTo-Json -InputObject $DumpAfter -Depth 5 | Should -Be (ConvertTo-Json -InputObject $DumpBefore -Depth 5)
    }

    It "Kolibri validates the facility after the undo, and morango sees it: the deleted users live again, the created ones deleted" {
        ConvertTo-Json -InputObject @($Validation.problems) -Depth 5 | Should -Be '[]'
        $importedGone = @{}; foreach ($g in $StoreImported.gone) { $importedGone[$g.id] = $g }
        foreach ($id in $Story.DeletedIds) { $importedGone[$id].hard_deleted | Should -BeTrue -Because "morango recorded the import's deletion of $id" }

        $Store.dirty | Should -BeNullOrEmpty
        $Store.missing | Should -BeNullOrEmpty
        ConvertTo-Json -InputObject @($Store.mismatched) -Depth 5 | Should -Be '[]' -Because 'the undo set the dirty bit of what it put back'
        $gone = @{}; foreach ($g in $Store.gone) { $gone[$g.id] = $g }
        foreach ($id in $Story.DeletedIds) { $gone.ContainsKey($id) | Should -BeFalse -Because "the deleted user $id is back in the store as a live record" }
        @($Store.gone | Where-Object { -not $_.deleted }) | Should -BeNullOrEmpty
        $created = @($DumpImported.users | Where-Object { $_.username -in $Story.NewUsers.Keys } | ForEach-Object id)
        $created.Count | Should -Be $Story.NewUsers.Count
        foreach ($id in $created) { $gone[$id].deleted | Should -BeTrue -Because "the user $id the import created is deleted again in the store" }
    }
}
