#Requires -Version 7.4
# Issue 13: what the user and class cmdlets write, judged by real Kolibri 0.17.5. On a copy of the fixture whose rows
# Kolibri has serialised into morango's store, the cmdlets add users, reset a password, create, rename and delete
# classes, move learners and delete a user; Kolibri then validates every row, checks the passwords, serialises the
# changes and exports the users itself. A second story carries a removal and a password reset to a peer by sync.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $Oracle = Join-Path $PSScriptRoot 'KolibriOracle.py'

    function Get-Step($Results, [string] $Name) {
        @($Results | Where-Object step -eq $Name | ForEach-Object result)
    }
}

Describe 'Kolibri 0.17.5 accepts what the user and class cmdlets write' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        Initialize-KolibriHome -KolibriHome $kolibriHome
        $work = Join-Path $TestDrive 'work'
        $null = New-Item -ItemType Directory -Path $work
        $null = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(@{ step = 'serialize_store' }) }

        $Secrets = @{ maria = 'Maria-Pw-4711'; kwame = 'Kwame-Pw-2207'; learner02 = 'Reset-Pw-9931' }
        function Secure([string] $Text) { ConvertTo-SecureString $Text -AsPlainText -Force }
        $ClassBLearners = @(Get-FacilityUser -Database $kolibriHome -Class 'Class B' -UserType LEARNER | ForEach-Object Username)
        $RemovedId = (Get-FacilityUser -Database $kolibriHome learner37).Id

        New-FacilityClass -Database $kolibriHome 'Grade 4 A' -ErrorAction Stop
        New-FacilityUser -Database $kolibriHome -Username maria -FullName 'María López' -Password (Secure $Secrets.maria) -Class 'Grade 4 A' -BirthYear 2016 -Gender FEMALE -ErrorAction Stop
        New-FacilityUser -Database $kolibriHome -Credential ([pscredential]::new('kwame', (Secure $Secrets.kwame))) -FullName 'Kwame Mensah' -UserType CLASS_COACH -AssignTo 'Grade 4 A' -ErrorAction Stop
        Get-FacilityUser -Database $kolibriHome learner02 | Set-FacilityUser -Password (Secure $Secrets.learner02) -FullName 'Hana Smith-Okafor' -ErrorAction Stop
        Get-FacilityClass -Database $kolibriHome 'Reading Club' | Set-FacilityClass -NewName 'Book Club' -ErrorAction Stop
        Get-FacilityUser -Database $kolibriHome -Class 'Class B' -UserType LEARNER | Add-FacilityClassMember -Class 'Grade 4 A' -ErrorAction Stop
        Get-FacilityUser -Database $kolibriHome -Class 'Class B' -UserType LEARNER | Remove-FacilityClassMember -Class 'Class B' -ErrorAction Stop
        Set-FacilityUser -Database $kolibriHome learner05 -UserType FACILITY_COACH -AssignTo 'Class B' -ErrorAction Stop
        Remove-FacilityClass -Database $kolibriHome 'Science 7' -Force -Confirm:$false -ErrorAction Stop
        Remove-FacilityUser -Database $kolibriHome learner37 -Confirm:$false -ErrorAction Stop

        $OurUsers = Join-Path $work 'our-users.csv'
        Export-FacilityUsers -Database $kolibriHome -Path $OurUsers
        $KolibriUsers = Join-Path $work 'kolibri-users.csv'
        $Credentials = @(
            @{ username = 'maria'; password = $Secrets.maria; expected = $true }
            @{ username = 'kwame'; password = $Secrets.kwame; expected = $true }
            @{ username = 'learner02'; password = $Secrets.learner02; expected = $true }
            @{ username = 'learner02'; password = 'pass123'; expected = $false }
            @{ username = 'learner03'; password = 'pass123'; expected = $true }   # untouched
        )
        $after = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = @(
                @{ step = 'validate_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'check_passwords'; facility_id = $FixtureFacilityId; credentials = $Credentials }
                @{ step = 'dump_facility'; facility_id = $FixtureFacilityId }
                @{ step = 'serialize_store' }
                @{ step = 'compare_store' }
                @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', $KolibriUsers, '--overwrite', '--facility', $FixtureFacilityId) }
            ) }
        $Validation = Get-Step $after 'validate_facility'
        $Passwords = Get-Step $after 'check_passwords'
        $Dump = Get-Step $after 'dump_facility'
        $Store = Get-Step $after 'compare_store'
        $KolibriRows = @(Import-Csv -LiteralPath $KolibriUsers)
    }

    It "Kolibri's models accept every user, class, membership and role (full_clean, ensure_dataset, morango ids, save)" {
        $Validation.checked | Should -BeGreaterThan 100
        ConvertTo-Json -InputObject @($Validation.problems) -Depth 5 | Should -Be '[]' -Because 'Kolibri reports no problem'
    }

    It "the new and reset passwords pass Django's check_password with Kolibri's hash settings" {
        foreach ($c in $Passwords) {
            $c.found | Should -BeTrue -Because "$($c.username) exists"
            $c.accepted | Should -Be $c.expected -Because "check_password of $($c.username)"
            $c.must_update | Should -BeFalse
        }
    }

    It 'morango serialises every change into its store, and the deleted user and class are marked deleted' {
        $Store.dirty | Should -BeNullOrEmpty
        $Store.missing | Should -BeNullOrEmpty
        ConvertTo-Json -InputObject @($Store.mismatched) -Depth 5 | Should -Be '[]'
        $gone = @($Store.gone | Where-Object id -eq $RemovedId)
        $gone | Should -HaveCount 1
        $gone[0].deleted | Should -BeTrue
        $gone[0].hard_deleted | Should -BeTrue
    }

    It "Kolibri's own export shows the renamed class, the new class and the moved learners, and equals ours" {
        Compare-KolibriCsv -Expected $KolibriUsers -Actual $OurUsers -AnyRowOrder | Should -BeNullOrEmpty
        $enrolled = 'Learner enrollment (ENROLLED_IN)'
        $byName = @{}; foreach ($row in $KolibriRows) { $byName[$row.'Username (USERNAME)'] = $row }
        foreach ($name in $ClassBLearners) {
            $classes = $byName[$name].$enrolled -split ','
            $classes | Should -Contain 'Grade 4 A'
            $classes | Should -Not -Contain 'Class B'
        }
        @($KolibriRows | Where-Object { ($_.$enrolled -split ',') -contains 'Book Club' }).Count | Should -BeGreaterThan 0
        @($KolibriRows | Where-Object { ($_.$enrolled -split ',') -contains 'Reading Club' }).Count | Should -Be 0
        $byName['maria'].$enrolled | Should -Be 'Grade 4 A'
        $byName['kwame'].'Coach assignment (ASSIGNED_TO)' | Should -Be 'Grade 4 A'
        $byName['learner05'].'User type (USER_TYPE)' | Should -Be 'FACILITY_COACH'
        $byName.ContainsKey('learner37') | Should -BeFalse
        @($Dump.collections | Where-Object kind -eq 'classroom' | ForEach-Object name | Sort-Object) | Should -Be @('Book Club', 'Class A', 'Class B', 'Grade 4 A', 'Grade 5 Math')
    }
}

Describe 'A removal, a password reset and a class rename made with the cmdlets reach a peer through Kolibri''s sync' {
    BeforeAll {
        $FacilityId = $FixtureFacilityId
        $AdminCredential = [pscredential]::new('admin', (ConvertTo-SecureString 'adminpass' -AsPlainText -Force))
        $HomeA = New-TestKolibriHome
        # Device B gets the facility the way an admin's device does: Kolibri's own first pull with A's admin account.
        $pair = Start-KolibriPeerPair -ServerHome $HomeA -Folder $TestDrive -FacilityId $FacilityId
        $ServerA, $HomeB, $DatabaseB, $KolibriB = $pair.Server, $pair.HomeB, $pair.DatabaseB, $pair.KolibriB
        $Reset = 'Synced-Reset-5150'
    }

    AfterAll {
        if ($ServerA) { Stop-KolibriServer $ServerA }
    }

    It 'on B the cmdlets delete a user, reset a password and rename a class; Invoke-PortalSync carries them to A' {
        $script:DeletedId = (Get-FacilityUser -Database $DatabaseB -Facility $FacilityId learner20).Id
        Remove-FacilityUser -Database $DatabaseB -Facility $FacilityId learner20 -Confirm:$false -ErrorAction Stop
        Get-FacilityUser -Database $DatabaseB -Facility $FacilityId learner02 | Set-FacilityUser -Password (ConvertTo-SecureString $Reset -AsPlainText -Force) -ErrorAction Stop
        Set-FacilityClass -Database $DatabaseB -Facility $FacilityId 'Class A' -NewName 'Class A (2027)' -ErrorAction Stop

        $result = Invoke-PortalSync -Server $ServerA.BaseUrl -Credential $AdminCredential -Database $DatabaseB `
            -Facility $FacilityId -KolibriCommand $KolibriB -Confirm:$false -ErrorAction Stop
        $result.Status | Should -Be 'Completed'
        $result.RecordsSent | Should -BeGreaterThan 2
        Get-KolibriUnsyncedRecordCount -KolibriHome $HomeB | Should -Be 0
    }

    It 'A no longer has the user, has the renamed class, and signs learner02 in with the reset password' {
        $python = @"
from kolibri.core.auth.models import FacilityUser, Classroom
print('RESULT', json.dumps({'deleted_present': FacilityUser.objects.filter(id='$($script:DeletedId)').exists(),
    'classes': sorted(c.name for c in Classroom.objects.filter(parent_id='$FacilityId'))}))
"@
        $state = Invoke-KolibriShell -KolibriHome $HomeA -Python $python
        $state.deleted_present | Should -BeFalse
        $state.classes | Should -Contain 'Class A (2027)'
        $state.classes | Should -Not -Contain 'Class A'
        (Invoke-KolibriLogin -Server $ServerA -Username 'learner02' -Password $Reset -FacilityId $FacilityId).StatusCode | Should -Be 200
        (Invoke-KolibriLogin -Server $ServerA -Username 'learner20' -Password 'pass123' -FacilityId $FacilityId).StatusCode | Should -Be 400
    }
}
