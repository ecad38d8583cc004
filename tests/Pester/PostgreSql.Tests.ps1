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
