#Requires -Version 7.4
# Issue 14: Invoke-PortalSync on a PostgreSQL-backed Kolibri drives Kolibri's own sync (morango) unchanged, and
# Get-PortalSyncStatus reads what it left in morango's tables there. One story, as PeerSync.Tests.ps1 tells it on
# SQLite: Kolibri server A serves a copy of the SQLite fixture; device B is a Kolibri on PostgreSQL (a KOLIBRI_HOME
# whose options.ini names an empty database in the test's private cluster, migrated by Kolibri itself) that pulls
# the facility with `kolibri manage sync`; on B the module changes a user; Invoke-PortalSync -Database <B's home>
# carries it to A, and a change made on A comes back. Every check on A and every count of what is pending asks
# Kolibri itself.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $server = Start-TestPostgres

    $FacilityId = $FixtureFacilityId
    $AdminCredential = [pscredential]::new('admin', (ConvertTo-SecureString 'adminpass' -AsPlainText -Force))

    function Get-KolibriFullName([string] $KolibriHome, [string] $Username) {
        Invoke-KolibriShell -KolibriHome $KolibriHome -Python @"
from kolibri.core.auth.models import FacilityUser
print('RESULT', json.dumps(FacilityUser.objects.get(username='$Username', facility_id='$FacilityId').full_name))
"@
    }
}

AfterAll {
    Stop-TestPostgres $server
}

Describe 'Invoke-PortalSync on a Kolibri that runs on PostgreSQL' {
    AfterAll {
        # Here, not in the file's AfterAll: $ServerA is set in this block's BeforeAll, which the file's scope cannot see.
        if ($ServerA) { Stop-KolibriServer $ServerA }
    }

    BeforeAll {
        $HomeA = New-TestKolibriHome
        $ServerA = Start-KolibriServer -KolibriHome $HomeA -TimeoutSeconds 300

        # Device B: a new Kolibri on an empty PostgreSQL database, set up by Kolibri's own migrate.
        $deviceB = New-TestPostgresHome $server -Empty
        $name = $deviceB.Name
        $HomeB = $deviceB.Home
        $ConnectionStringB = "$($deviceB.ConnectionString);Password=$($server.Password)"
        Initialize-KolibriHome -KolibriHome $HomeB
        $KolibriB = New-KolibriCommandScript -KolibriHome $HomeB -Path (Join-Path $TestDrive 'kolibri-b.sh')
        # B gets the facility the way an admin's device does: Kolibri's own first sync with A's admin account.
        $null = Invoke-Kolibri -KolibriHome $HomeB -Check -ArgumentList 'manage', 'sync', '--baseurl', $ServerA.BaseUrl,
            '--facility', $FacilityId, '--username', 'admin', '--password', 'adminpass', '--noninteractive'
    }

    It 'B holds the facility in PostgreSQL after Kolibri''s own sync, and Get-PortalSyncStatus reads that sync there' {
        Get-ChildItem -LiteralPath $HomeB -Filter 'db.sqlite3' | Should -BeNullOrEmpty
        Invoke-TestPostgresSql $server $name "SELECT count(*) FROM kolibriauth_facilityuser WHERE facility_id = '$FacilityId'" | Should -Be '51'
        @(Get-FacilityUser -Database $HomeB -Facility $FacilityId).Count | Should -Be 51

        $status = Get-PortalSyncStatus -Database $HomeB -Facility $FacilityId
        $status.Database | Should -Be $HomeB
        $status.LastSuccessfulServer | Should -Be "$($ServerA.BaseUrl)/"   # morango's connection_path, as Kolibri stored it
        $status.LastSuccessfulSync | Should -Not -BeNullOrEmpty
        $status.Registered | Should -BeFalse
        # Kolibri's sync with an admin account had A issue B a full-facility certificate whose private key B keeps.
        $status.OwnsCertificate | Should -BeTrue
        $session = @($status.Sessions)
        $session.Count | Should -Be 1
        $session[0].Completed | Should -BeTrue
        $session[0].Pulled | Should -BeTrue
        $session[0].Server | Should -Be "$($ServerA.BaseUrl)/"
    }

    It 'a change the module makes on B reaches A through Invoke-PortalSync, which counts what Kolibri sent' {
        Set-FacilityUser -Database $HomeB -Facility $FacilityId -Username 'learner14' -FullName 'Renamed On B' -Confirm:$false -ErrorAction Stop
        $script:PendingOnB = Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB
        $script:PendingOnB | Should -BeGreaterThan 0

        $result = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $HomeB -Facility $FacilityId `
            -KolibriCommand $KolibriB -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Completed'
        $result.ExitCode | Should -Be 0
        $result.Database | Should -Be $HomeB
        $result.KolibriLog | Should -Be (Join-Path $HomeB 'logs' 'kolibri.txt')
        $result.RecordsSent | Should -Be $script:PendingOnB
        $result.CommandLine | Should -Not -Match 'adminpass'
        Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB | Should -Be 0
        Get-KolibriFullName $HomeA 'learner14' | Should -Be 'Renamed On B'
    }

    It 'a change made on A comes back to B with a pull-only Invoke-PortalSync' {
        $null = Invoke-KolibriShell -KolibriHome $HomeA -Python @"
from kolibri.core.auth.models import FacilityUser
user = FacilityUser.objects.get(username='learner15', facility_id='$FacilityId')
user.full_name = 'Renamed On A'
user.save()
print('RESULT', json.dumps(user.id))
"@
        $result = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $HomeB -Facility $FacilityId `
            -KolibriCommand $KolibriB -NoPush -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Completed'
        $result.Direction | Should -Be 'PullOnly'
        $result.RecordsReceived | Should -Be 1
        (Get-FacilityUser -Database $HomeB -Facility $FacilityId -Username 'learner15').FullName | Should -Be 'Renamed On A'
    }

    It 'Get-PortalSyncStatus lists the sessions Kolibri recorded in PostgreSQL, newest first, with what each moved' {
        $kolibriSessions = Invoke-KolibriShell -KolibriHome $HomeB -Python @"
from morango.models.core import SyncSession
print('RESULT', json.dumps([s.id for s in SyncSession.objects.filter(profile='facilitydata').order_by('-last_activity_timestamp')]))
"@
        foreach ($status in @(
                (Get-PortalSyncStatus -Database $HomeB -Facility $FacilityId -SessionCount 10),
                (Get-PortalSyncStatus -ConnectionString $ConnectionStringB -Facility $FacilityId -SessionCount 10))) {
            $sessions = @($status.Sessions)
            @($sessions.Id) | Should -Be @($kolibriSessions)
            $sessions.Count | Should -Be 3
            $sessions | ForEach-Object { $_.Completed | Should -BeTrue; $_.Server | Should -Be "$($ServerA.BaseUrl)/"; $_.IsServer | Should -BeFalse }
            $sessions[0].Pulled | Should -BeTrue
            $sessions[0].Pushed | Should -BeFalse
            $sessions[0].RecordsReceived | Should -Be 1
            $sessions[1].Pushed | Should -BeTrue
            $sessions[1].RecordsSent | Should -Be $script:PendingOnB
            $status.LastSuccessfulSync | Should -Be $sessions[0].LastActivity
        }
    }

    It 'with only a connection string Invoke-PortalSync asks for the KOLIBRI_HOME, since Kolibri needs one' {
        $sessionsBefore = Invoke-TestPostgresSql $server $name 'SELECT count(*) FROM morango_syncsession'
        $err = { Invoke-PortalSync -ConnectionString $ConnectionStringB -Server $ServerA.BaseUrl -Credential $AdminCredential -Facility $FacilityId `
                -KolibriCommand $KolibriB -Confirm:$false } | Should -Throw -PassThru
        $err.FullyQualifiedErrorId | Should -BeLike 'KolibriHomeMismatch,*'
        "$err" | Should -Match '-Database'
        "$err" | Should -Not -Match $server.Password
        Invoke-TestPostgresSql $server $name 'SELECT count(*) FROM morango_syncsession' | Should -Be $sessionsBefore
    }
}
