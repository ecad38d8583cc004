#Requires -Version 7.4
# A PostgreSQL-backed Kolibri as an admin meets it: a KOLIBRI_HOME whose options.ini says DATABASE_ENGINE = postgres
# (the fixture's PostgreSQL twin in a private cluster the tests start and stop), and a connection string with a
# credential for scripts. docs/PostgreSQL.md says what works there so far.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    $server = Start-TestPostgres
}

AfterAll {
    Stop-TestPostgres $server
}

Describe 'Reading a PostgreSQL-backed Kolibri' {
    BeforeAll {
        $pg = New-TestPostgresHome $server
        $savedHome = $env:KOLIBRI_HOME
    }
    AfterAll {
        $env:KOLIBRI_HOME = $savedHome
    }

    It 'opens the database that KOLIBRI_HOME/options.ini names, as Kolibri does' {
        $env:KOLIBRI_HOME = $pg.Home
        $facility = Get-Facility
        $facility.Id | Should -Be '13ef67cfd227458fdb7dac03cafa05f4'
        $facility.UserCount | Should -Be 51
        $facility.Database | Should -Be $pg.Home
    }

    It 'exports users and logs exactly as Kolibri exported them from the same database' {
        $users = Join-Path $TestDrive 'users.csv'
        Get-FacilityUser -Database $pg.Home | Export-FacilityUsers -Path $users -WarningAction SilentlyContinue
        (Get-FileHash $users).Hash | Should -Be (Get-FileHash (Join-Path $PostgresFixtureFolder 'users-export.csv')).Hash
        $session = Join-Path $TestDrive 'session.csv'
        New-FacilityLog -Database $pg.Home -Path $session
        (Get-FileHash $session).Hash | Should -Be (Get-FileHash (Join-Path $PostgresFixtureFolder 'logs-session.csv')).Hash
    }

    It 'takes a connection string and a credential, and never shows the password' {
        $credential = [pscredential]::new('kolibri', (ConvertTo-SecureString 'kolibripw' -AsPlainText -Force))
        $verbose = Get-FacilityClass -ConnectionString $pg.ConnectionString -DatabaseCredential $credential -Verbose 4>&1
        $classes = $verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $classes.Name | Should -Be @('Class A', 'Class B', 'Grade 5 Math', 'Reading Club', 'Science 7')
        ($verbose | Out-String) + ($classes | Format-List * | Out-String) | Should -Not -Match 'kolibripw'
    }

    It 'imports an edited export into a copy of the database, with the journal in KOLIBRI_HOME/backups' {
        $copy = New-TestPostgresHome $server
        $csv = Join-Path $TestDrive 'users-edit.csv'
        Export-FacilityUsers -Database $copy.Home -Path $csv -Force
        Add-Content -LiteralPath $csv -Value ',pgnew,pg-pass-1,PG New,LEARNER,,,,Class A,'
        Import-FacilityUsers -Database $copy.Home -Path $csv -NoDelete -Confirm:$false
        $user = Get-FacilityUser -Database $copy.Home | Where-Object Username -eq 'pgnew'
        $user.EnrolledIn | Should -Be 'Class A'
        @(Get-ChildItem (Join-Path $copy.Home 'backups') -Filter '*.journal.jsonl').Count | Should -Be 1
        (Get-Facility -Database $pg.Home).UserCount | Should -Be 51
    }

    It 'says when the server is not there' {
        $stopped = Join-Path $TestDrive 'stopped'
        New-Item -ItemType Directory $stopped | Out-Null
        (Get-Content (Join-Path $pg.Home 'options.ini')) -replace 'DATABASE_PORT = \d+', 'DATABASE_PORT = 1' | Set-Content (Join-Path $stopped 'options.ini')
        { Get-Facility -Database $stopped -ErrorAction Stop } | Should -Throw -ErrorId 'DatabaseUnreachable,KolibriFacility.PowerShell.Commands.GetFacilityCommand'
    }
}

Describe 'Administering a PostgreSQL-backed Kolibri' {
    BeforeAll {
        $password = ConvertTo-SecureString 'Term-2-Start' -AsPlainText -Force
    }

    It 'resets the passwords of one class through a pipeline, with a preview first' {
        $copy = New-TestPostgresHome $server
        $learners = Get-FacilityUser -Database $copy.Home -Class 'Class B' -UserType LEARNER
        $learners.Count | Should -BeGreaterThan 5
        $hashes = "SELECT string_agg(password, ',' ORDER BY username) FROM kolibriauth_facilityuser"
        $before = Invoke-TestPostgresSql $server $copy.Name $hashes
        Get-FacilityUser -Database $copy.Home | Where-Object { $_.EnrolledIn -contains 'Class B' -and $_.UserType -eq 'LEARNER' } |
            Set-FacilityUser -Password $password -WhatIf
        Invoke-TestPostgresSql $server $copy.Name $hashes | Should -Be $before
        Test-Path (Join-Path $copy.Home 'backups') | Should -BeFalse

        $changed = Get-FacilityUser -Database $copy.Home | Where-Object { $_.EnrolledIn -contains 'Class B' -and $_.UserType -eq 'LEARNER' } |
            Set-FacilityUser -Password $password -PassThru
        $changed.Username | Sort-Object | Should -Be ($learners.Username | Sort-Object)
        foreach ($learner in $learners) {
            # Django's pbkdf2_sha256, as Kolibri's sign-in checks it.
            $algorithm, $iterations, $salt, $hash = (Invoke-TestPostgresSql $server $copy.Name "SELECT password FROM kolibriauth_facilityuser WHERE username = '$($learner.Username)'") -split '\$'
            $key = [System.Security.Cryptography.Rfc2898DeriveBytes]::Pbkdf2([Text.Encoding]::UTF8.GetBytes('Term-2-Start'), [Text.Encoding]::UTF8.GetBytes($salt), [int] $iterations, 'SHA256', 32)
            [Convert]::ToBase64String($key) | Should -Be $hash
        }
        @(Get-ChildItem (Join-Path $copy.Home 'backups') -Filter '*.journal.jsonl').Count | Should -Be 1
    }

    It 'moves learners to a new class, then undoes the move with Undo-FacilityImport -Last' {
        $copy = New-TestPostgresHome $server
        New-FacilityClass -Database $copy.Home 'Grade 4 A'
        $moved = Get-FacilityUser -Database $copy.Home -Class 'Reading Club' -UserType LEARNER
        $moved | Add-FacilityClassMember -Class 'Grade 4 A' -Confirm:$false
        $moved | Remove-FacilityClassMember -Class 'Reading Club' -Confirm:$false
        (Get-FacilityUser -Database $copy.Home -Class 'Grade 4 A').Username | Sort-Object | Should -Be ($moved.Username | Sort-Object)
        @(Get-FacilityUser -Database $copy.Home -Class 'Reading Club' -UserType LEARNER).Count | Should -Be 0

        Undo-FacilityImport -Database $copy.Home -Last -Confirm:$false
        (Get-FacilityUser -Database $copy.Home -Class 'Reading Club' -UserType LEARNER).Username | Sort-Object | Should -Be ($moved.Username | Sort-Object)
        (Get-FacilityUser -Database $copy.Home -Class 'Grade 4 A').Username | Sort-Object | Should -Be ($moved.Username | Sort-Object)
    }

    It 'creates and removes a user over a connection string with a credential, and the password shows nowhere' {
        $copy = New-TestPostgresHome $server
        $credential = [pscredential]::new('kolibri', (ConvertTo-SecureString 'kolibripw' -AsPlainText -Force))
        $savedHome = $env:KOLIBRI_HOME
        $env:KOLIBRI_HOME = Join-Path $TestDrive 'admin-home'
        try {
            $c = @{ ConnectionString = $copy.ConnectionString; DatabaseCredential = $credential }
            $all = & {
                New-FacilityUser @c -Username 'visitor' -FullName 'Visiting Teacher' -Password $password -UserType CLASS_COACH -PassThru -Verbose
                Remove-FacilityUser @c -Username 'visitor' -Confirm:$false -Verbose
                try { Remove-FacilityUser @c -Username 'visitor' -Confirm:$false } catch { $_ }
            } *>&1
            ($all | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] }).FullyQualifiedErrorId |
                Should -Be @('UserNotFound,KolibriFacility.PowerShell.Commands.RemoveFacilityUserCommand', 'ImportHasErrors,KolibriFacility.PowerShell.Commands.RemoveFacilityUserCommand')
            ($all | Where-Object { $_ -is [KolibriFacility.Core.Model.FacilityUser] }).Database | Should -Match '^postgres://kolibri@127\.0\.0\.1:\d+/kf_pester_'
            Get-FacilityUser -Database $copy.Home | Where-Object Username -eq 'visitor' | Should -BeNullOrEmpty
            $journals = Get-ChildItem (Join-Path $env:KOLIBRI_HOME 'backups') -Filter '*.journal.jsonl'
            $journals.Count | Should -Be 2
            ($all | Out-String) + ($journals | Get-Content -Raw) | Should -Not -Match 'kolibripw|Term-2-Start'
        } finally {
            $env:KOLIBRI_HOME = $savedHome
        }
    }
}
