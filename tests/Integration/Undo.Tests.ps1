#Requires -Version 7.4
# Issue 13: an undo reaches a peer through Kolibri's own sync. Kolibri server A serves a copy of the fixture; device B
# pulls the facility; on B an import deletes a learner with progress, adds a learner and renames one; B syncs to A;
# on B Undo-FacilityImport takes the import back; Kolibri on B validates the users; B syncs again and A, which had
# applied the deletion, has the deleted learner back with its id, its classes and its password. Checks ask Kolibri.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit

    $FacilityId = $FixtureFacilityId
    $AdminCredential = [pscredential]::new('admin', (ConvertTo-SecureString 'adminpass' -AsPlainText -Force))
    $DeletedUsername = 'learner20'
    $RenamedUsername = 'learner14'

    function Get-KolibriUser([string] $KolibriHome) {
        # The facility's users as Kolibri's ORM sees them, each validated by Django (full_clean) as Kolibri's forms do.
        $python = @"
from django.core.exceptions import ValidationError
from kolibri.core.auth.models import FacilityUser
from kolibri.core.logger.models import ContentSessionLog
def problems(u):
    try:
        u.full_clean()
        return ''
    except ValidationError as e:
        return str(e)
users = FacilityUser.objects.filter(facility_id='$FacilityId')
print('RESULT', json.dumps([{'id': u.id, 'username': u.username, 'full_name': u.full_name, 'invalid': problems(u),
    'classes': sorted(m.collection.name for m in u.memberships.all()),
    'roles': sorted(r.kind + ':' + r.collection.kind for r in u.roles.all()),
    'sessions': ContentSessionLog.objects.filter(user_id=u.id).count()} for u in users]))
"@
        @(Invoke-KolibriShell -KolibriHome $KolibriHome -Python $python | ForEach-Object { $_ })
    }

    function Sync-BToA {
        $result = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $DatabaseB `
            -Facility $FacilityId -KolibriCommand $KolibriB -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Completed'
        $result
    }
}

Describe 'An import undone on one device, synced through Kolibri''s engine' {
    BeforeAll {
        $HomeA = New-TestKolibriHome
        # Device B gets the facility the way an admin's device does: Kolibri's own first pull with A's admin account.
        $pair = Start-KolibriPeerPair -ServerHome $HomeA -Folder $TestDrive -FacilityId $FacilityId
        $ServerA, $HomeB, $DatabaseB, $KolibriB = $pair.Server, $pair.HomeB, $pair.DatabaseB, $pair.KolibriB
        $script:Before = Get-KolibriUser $HomeA
    }

    AfterAll {
        if ($ServerA) { Stop-KolibriServer $ServerA }
    }

    It 'on B an import deletes a learner with progress, adds one and renames one, and A gets it by sync' {
        $exported = Join-Path $TestDrive 'b-export.csv'
        Export-FacilityUsers -Database $DatabaseB -Facility $FacilityId -Path $exported
        $rows = [System.Collections.Generic.List[object]]::new()
        foreach ($row in Import-Csv -LiteralPath $exported) {
            if ($row.'Username (USERNAME)' -eq $DeletedUsername) { $script:DeletedId = $row.'Database ID (UUID)'; continue }
            if ($row.'Username (USERNAME)' -eq $RenamedUsername) { $row.'Full name (FULL_NAME)' = 'Renamed By Import' }
            $rows.Add($row)
        }
        $rows.Add((New-UsersCsvRow $rows[0] -Username 'undo_learner1' -Password 'Undo-3k!pw' -FullName 'Undo Learner' -Type 'LEARNER' `
                -Enrolled 'Class A' -Assigned '' -BirthYear '2012' -Gender 'FEMALE'))
        $edited = Join-Path $TestDrive 'b-edited.csv'
        $rows | Export-Csv -LiteralPath $edited -Encoding utf8BOM -UseQuotes AsNeeded
        ($script:Before | Where-Object id -eq $script:DeletedId).sessions | Should -BeGreaterThan 0

        $script:Import = Import-FacilityUsers -Database $DatabaseB -Facility $FacilityId -Path $edited -Confirm:$false -PassThru -ErrorAction Stop
        $script:Import.JournalPath | Should -Exist
        $null = Sync-BToA

        $usersA = Get-KolibriUser $HomeA
        $usersA.id | Should -Not -Contain $script:DeletedId
        $usersA.username | Should -Contain 'undo_learner1'
        ($usersA | Where-Object username -eq $RenamedUsername).full_name | Should -Be 'Renamed By Import'
    }

    It 'Undo-FacilityImport on B puts the facility back, and Kolibri on B validates every user' {
        $preview = Undo-FacilityImport -Database $DatabaseB -Facility $FacilityId -Last -WhatIf 6>&1 3>&1
        @($preview).Count | Should -Be 0   # -WhatIf lines go to the host; no warning: nothing changed since

        $result = $script:Import | Undo-FacilityImport -Confirm:$false -PassThru -ErrorAction Stop -WarningVariable refusals
        @($refusals).Count | Should -Be 0
        $result.Refused.Count | Should -Be 0
        $result.ChangesUndone | Should -BeGreaterThan 2

        $usersB = Get-KolibriUser $HomeB
        $usersB | Where-Object invalid | Should -BeNullOrEmpty
        $usersB.username | Should -Not -Contain 'undo_learner1'
        $restored = $usersB | Where-Object id -eq $script:DeletedId
        $restored.username | Should -Be $DeletedUsername
        $original = $script:Before | Where-Object id -eq $script:DeletedId
        $restored.classes | Should -Be $original.classes
        $restored.sessions | Should -Be $original.sessions
        ($usersB | Where-Object username -eq $RenamedUsername).full_name | Should -Be ($script:Before | Where-Object username -eq $RenamedUsername).full_name
        Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB | Should -BeGreaterThan 0
    }

    It 'after the next sync A, which had applied the deletion, has the same users again: same ids, classes, progress and password' {
        $null = Sync-BToA
        $usersA = Get-KolibriUser $HomeA
        @($usersA.id | Sort-Object) | Should -Be @($script:Before.id | Sort-Object)
        $usersA | Where-Object invalid | Should -BeNullOrEmpty
        $restored = $usersA | Where-Object id -eq $script:DeletedId
        $original = $script:Before | Where-Object id -eq $script:DeletedId
        $restored.username | Should -Be $DeletedUsername
        $restored.classes | Should -Be $original.classes
        $restored.roles | Should -Be $original.roles
        $restored.sessions | Should -Be $original.sessions
        ($usersA | Where-Object username -eq $RenamedUsername).full_name | Should -Be ($script:Before | Where-Object username -eq $RenamedUsername).full_name
        (Invoke-KolibriLogin -Server $ServerA -Username $DeletedUsername -Password 'pass123' -FacilityId $FacilityId).StatusCode | Should -Be 200
        (Invoke-KolibriLogin -Server $ServerA -Username 'undo_learner1' -Password 'Undo-3k!pw' -FacilityId $FacilityId).StatusCode | Should -Be 400   # gone
    }
}
