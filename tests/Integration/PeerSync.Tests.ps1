#Requires -Version 7.4
# Issue 10.3 d: what the module writes travels through Kolibri's own sync engine (morango), both ways.
# One story: Kolibri server A serves a copy of the fixture; device B pulls the facility with `kolibri manage sync`;
# on B our import adds, renames and deletes users; Invoke-PortalSync from B carries that to A; a change made on A
# comes back to B with the next Invoke-PortalSync. Every check on A asks Kolibri itself.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit

    $FacilityId = $FixtureFacilityId
    $AdminCredential = [pscredential]::new('admin', (ConvertTo-SecureString 'adminpass' -AsPlainText -Force))
    # Passwords of the users the CSV adds: a coach (roles, so Kolibri always checks the password) and a learner.
    $NewUsers = @{ sync_coach1 = 'Coach-7y!pw'; sync_learner1 = 'Learn-9x!pw' }
    $RenamedFrom = 'learner14'
    $RenamedTo = 'learner14_renamed'
    $DeletedUsername = 'learner20'

    function Get-KolibriUser([string] $KolibriHome) {
        # The facility's users as Kolibri's ORM sees them, with their classes and roles.
        $python = @"
from kolibri.core.auth.models import FacilityUser
users = FacilityUser.objects.filter(facility_id='$FacilityId')
print('RESULT', json.dumps([{'id': u.id, 'username': u.username, 'full_name': u.full_name,
    'classes': sorted(m.collection.name for m in u.memberships.all()),
    'roles': sorted(r.kind + ':' + r.collection.kind for r in u.roles.all())} for u in users]))
"@
        @(Invoke-KolibriShell -KolibriHome $KolibriHome -Python $python | ForEach-Object { $_ })
    }

    function Test-KolibriPassword([string] $KolibriHome, [hashtable] $Passwords) {
        # username -> True when Kolibri's check_password accepts the password.
        $pairs = ($Passwords.GetEnumerator() | ForEach-Object { "('$($_.Key)', '$($_.Value)')" }) -join ', '
        $python = @"
from kolibri.core.auth.models import FacilityUser
print('RESULT', json.dumps({u: FacilityUser.objects.get(username=u, facility_id='$FacilityId').check_password(p) for u, p in [$pairs]}))
"@
        Invoke-KolibriShell -KolibriHome $KolibriHome -Python $python
    }
}

Describe 'A facility synced through Kolibri''s engine, with our import on one device' {
    BeforeAll {
        $HomeA = New-TestKolibriHome
        # Device B gets the facility the way an admin's device does: Kolibri's own first pull with A's admin account.
        $pair = Start-KolibriPeerPair -ServerHome $HomeA -Folder $TestDrive -FacilityId $FacilityId
        $ServerA, $HomeB, $DatabaseB, $KolibriB = $pair.Server, $pair.HomeB, $pair.DatabaseB, $pair.KolibriB
    }

    AfterAll {
        if ($ServerA) { Stop-KolibriServer $ServerA }
    }

    It 'device B has the facility after Kolibri''s own pull, and the module reads it' {
        $usersA = Get-KolibriUser $HomeA
        $usersB = @(Get-FacilityUser -Database $DatabaseB -Facility $FacilityId)
        $usersB.Count | Should -Be $usersA.Count
        @($usersB.Id | Sort-Object) | Should -Be @($usersA.id | Sort-Object)
        Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB | Should -Be 0
    }

    It 'on B our import adds two users, renames one and deletes one, and marks every change for Kolibri''s sync' {
        $exported = Join-Path $TestDrive 'b-export.csv'
        Export-FacilityUsers -Database $DatabaseB -Facility $FacilityId -Path $exported
        $rows = [System.Collections.Generic.List[object]]::new()
        foreach ($row in Import-Csv -LiteralPath $exported) {
            if ($row.'Username (USERNAME)' -eq $DeletedUsername) { $script:DeletedId = $row.'Database ID (UUID)'; continue }
            if ($row.'Username (USERNAME)' -eq $RenamedFrom) {
                $script:RenamedId = $row.'Database ID (UUID)'
                $row.'Username (USERNAME)' = $RenamedTo
            }
            $rows.Add($row)
        }
        $script:DeletedId | Should -Not -BeNullOrEmpty
        $script:RenamedId | Should -Not -BeNullOrEmpty
        $template = $rows[0]
        foreach ($new in @(
                @{ Username = 'sync_coach1'; FullName = 'Sync Coach One'; Type = 'FACILITY_COACH'; Enrolled = ''; Assigned = 'Class A' }
                @{ Username = 'sync_learner1'; FullName = 'Sync Learner One'; Type = 'LEARNER'; Enrolled = 'Class A'; Assigned = '' })) {
            $rows.Add((New-UsersCsvRow $template -Username $new.Username -Password $NewUsers[$new.Username] -FullName $new.FullName -Type $new.Type `
                    -Enrolled $new.Enrolled -Assigned $new.Assigned -BirthYear '1990' -Gender 'FEMALE'))
        }
        $edited = Join-Path $TestDrive 'b-edited.csv'
        $rows | Export-Csv -LiteralPath $edited -Encoding utf8BOM -UseQuotes AsNeeded

        Import-FacilityUsers -Database $DatabaseB -Facility $FacilityId -Path $edited -Confirm:$false -ErrorAction Stop

        $usersB = @(Get-FacilityUser -Database $DatabaseB -Facility $FacilityId)
        $usersB.Username | Should -Contain 'sync_coach1'
        $usersB.Username | Should -Contain 'sync_learner1'
        $usersB.Username | Should -Contain $RenamedTo
        $usersB.Username | Should -Not -Contain $RenamedFrom
        $usersB.Id | Should -Not -Contain $script:DeletedId
        # What Kolibri's sync will carry: the import's rows and deletions, as morango counts them.
        $script:PendingOnB = Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB
        $script:PendingOnB | Should -BeGreaterThan 5   # 3 users, a membership, 2 roles, and the deleted user with what it owned
    }

    It 'Invoke-PortalSync from B sends exactly those records to A, and SyncResult says so' {
        $output = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $DatabaseB `
            -Facility $FacilityId -KolibriCommand $KolibriB -Confirm:$false -ErrorAction Stop -Verbose 4>&1
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
        $result = $output | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }
        $result.pstypenames | Should -Contain 'KolibriFacility.Core.Portal.SyncResult'
        # Everything Kolibri printed is passed on as verbose output, and none of it shows the peer's password.
        @($verbose -match '^kolibri: .*Sending data').Count | Should -BeGreaterThan 0
        ($verbose -join "`n") | Should -Not -Match 'adminpass'
        $result.Status | Should -Be 'Completed'
        $result.ExitCode | Should -Be 0
        $result.IsPortal | Should -BeFalse
        $result.Server | Should -Be $ServerA.BaseUrl
        $result.FacilityId | Should -Be $FacilityId
        $result.RecordsSent | Should -Be $script:PendingOnB
        $result.RecordsReceived | Should -BeNullOrEmpty   # nothing changed on A since B's pull
        $result.CommandLine | Should -Not -Match 'adminpass'
        Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB | Should -Be 0
    }

    It 'A has the added, renamed and deleted users, as Kolibri sees them' {
        $users = Get-KolibriUser $HomeA
        $users.Count | Should -Be 52   # 51 in the fixture, 2 added, 1 deleted
        $coach = $users | Where-Object username -eq 'sync_coach1'
        $coach.full_name | Should -Be 'Sync Coach One'
        $coach.roles | Should -Be @('coach:classroom', 'coach:facility')
        $learner = $users | Where-Object username -eq 'sync_learner1'
        $learner.classes | Should -Be @('Class A')
        ($users | Where-Object id -eq $script:RenamedId).username | Should -Be $RenamedTo
        $users.id | Should -Not -Contain $script:DeletedId
        $users.username | Should -Not -Contain $DeletedUsername
    }

    It 'the new users'' CSV passwords are their passwords on A' {
        $checked = Test-KolibriPassword $HomeA $NewUsers
        $checked.sync_coach1 | Should -BeTrue
        $checked.sync_learner1 | Should -BeTrue

        (Invoke-KolibriLogin -Server $ServerA -Username 'sync_coach1' -Password $NewUsers.sync_coach1 -FacilityId $FacilityId).StatusCode | Should -Be 200
        (Invoke-KolibriLogin -Server $ServerA -Username 'sync_coach1' -Password 'not-the-password' -FacilityId $FacilityId).StatusCode | Should -Be 401
        $learner = Invoke-KolibriLogin -Server $ServerA -Username 'sync_learner1' -Password $NewUsers.sync_learner1 -FacilityId $FacilityId
        $learner.StatusCode | Should -Be 200
        ($learner.Body | ConvertFrom-Json).kind | Should -Contain 'learner'
        (Invoke-KolibriLogin -Server $ServerA -Username $DeletedUsername -Password 'pass123' -FacilityId $FacilityId).StatusCode | Should -Be 400   # NOT_FOUND
    }

    It 'a change made on A reaches B with the next Invoke-PortalSync, and SyncResult counts it' {
        # On A, through Kolibri's ORM: a user renamed and a user created (what A's admins do in Kolibri's UI).
        $null = Invoke-KolibriShell -KolibriHome $HomeA -Python @"
from kolibri.core.auth.models import Facility, FacilityUser
user = FacilityUser.objects.get(username='sync_learner1', facility_id='$FacilityId')
user.full_name = 'Renamed On A'
user.save()
made = FacilityUser(username='made_on_a', full_name='Made On A', facility=Facility.objects.get(id='$FacilityId'))
made.set_password('Made-5z!pw')
made.save()
print('RESULT', json.dumps(made.id))
"@
        $pendingOnA = Get-KolibriUnsyncedRecordCount -KolibriHome $HomeA
        $pendingOnA | Should -Be 2

        $result = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $DatabaseB `
            -Facility $FacilityId -KolibriCommand $KolibriB -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Completed'
        $result.RecordsReceived | Should -Be $pendingOnA
        $result.RecordsSent | Should -BeNullOrEmpty   # B had nothing new

        $usersB = @(Get-FacilityUser -Database $DatabaseB -Facility $FacilityId)
        ($usersB | Where-Object Username -eq 'sync_learner1').FullName | Should -Be 'Renamed On A'
        $usersB.Username | Should -Contain 'made_on_a'
        (Test-KolibriPassword $HomeB @{ made_on_a = 'Made-5z!pw' }).made_on_a | Should -BeTrue
    }
}
