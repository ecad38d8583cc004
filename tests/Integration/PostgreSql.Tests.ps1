#Requires -Version 7.4
# Real Kolibri 0.17.5 on PostgreSQL (psycopg2 from Debian's python3-psycopg2, which the kit's setup installs) and this
# module read the same database, chosen the same way: a KOLIBRI_HOME whose options.ini says DATABASE_ENGINE = postgres,
# pointing at a copy of the fixture's PostgreSQL twin in a private cluster the test starts and stops. Kolibri's own
# exports of that database and ours must agree.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $server = Start-TestPostgres
}

AfterAll {
    Stop-TestPostgres $server
}

Describe 'Kolibri and the module read one PostgreSQL database alike' {
    BeforeAll {
        $pg = New-TestPostgresHome $server
        $facilityId = '13ef67cfd227458fdb7dac03cafa05f4'
        $kolibriUsers = Join-Path $TestDrive 'kolibri-users.csv'
        $kolibriSessions = Join-Path $TestDrive 'kolibri-session.csv'
        $null = Invoke-Kolibri -KolibriHome $pg.Home -Check -ArgumentList 'manage', 'bulkexportusers', '--output-file', $kolibriUsers, '--overwrite', '--facility', $facilityId
        $null = Invoke-Kolibri -KolibriHome $pg.Home -Check -ArgumentList 'manage', 'exportlogs', '--log-type', 'session', '--output-file', $kolibriSessions, '--overwrite'
    }

    It "Export-FacilityUsers writes the file Kolibri's bulkexportusers writes" {
        $ours = Join-Path $TestDrive 'users.csv'
        Export-FacilityUsers -Database $pg.Home -Path $ours
        Compare-KolibriCsv -Expected $kolibriUsers -Actual $ours | Should -BeNullOrEmpty
    }

    It "New-FacilityLog writes the file Kolibri's exportlogs writes" {
        $ours = Join-Path $TestDrive 'session.csv'
        New-FacilityLog -Database $pg.Home -Path $ours
        Compare-KolibriCsv -Expected $kolibriSessions -Actual $ours | Should -BeNullOrEmpty
    }

    It 'Kolibri made no SQLite database in the home: both used PostgreSQL' {
        Get-ChildItem -LiteralPath $pg.Home -Filter 'db.sqlite3' | Should -BeNullOrEmpty
        (Get-Facility -Database $pg.Home).Id | Should -Be $facilityId
    }
}
