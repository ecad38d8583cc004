#Requires -Version 7.4
# Issue 10.3 e: an import into the database that a running Kolibri server is serving. The import succeeds (or waits
# for Kolibri's write, then succeeds), the server keeps answering while it runs and afterwards, sees the imported users
# at once, and logs no database error.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit

    $FacilityId = $FixtureFacilityId

    function New-UsersCsv([string] $Database, [string] $Path, [object[]] $NewUsers) {
        # The facility's export (so nobody is deleted) plus new rows: Username, Password, Type, Enrolled, Assigned.
        $exported = Join-Path $TestDrive ('export-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.csv')
        Export-FacilityUsers -Database $Database -Facility $FacilityId -Path $exported
        $rows = [System.Collections.Generic.List[object]]::new()
        foreach ($row in Import-Csv -LiteralPath $exported) { $rows.Add($row) }
        $template = $rows[0]
        foreach ($new in $NewUsers) {
            $rows.Add((New-UsersCsvRow $template -Username $new.Username -Password $new.Password -FullName "Full $($new.Username)" -Type $new.Type `
                    -Enrolled $new.Enrolled -Assigned $new.Assigned -BirthYear '2001' -Gender 'MALE'))
        }
        $rows | Export-Csv -LiteralPath $Path -Encoding utf8BOM -UseQuotes AsNeeded
    }
    function Wait-ForJob($Job, [scriptblock] $Until, [int] $TimeoutSeconds = 180) {
        # Waits until $Until is true, the thread job has ended (failed, say) or the time is up; the caller asserts.
        $clock = [Diagnostics.Stopwatch]::StartNew()
        while (-not (& $Until) -and $Job.State -in 'NotStarted', 'Running' -and $clock.Elapsed.TotalSeconds -lt $TimeoutSeconds) {
            Start-Sleep -Milliseconds 100
        }
    }
}

Describe 'An import into the database of a running Kolibri server' {
    BeforeAll {
        $KolibriHome = New-TestKolibriHome
        $Database = Join-Path $KolibriHome 'db.sqlite3'
        $Server = Start-KolibriServer -KolibriHome $KolibriHome -TimeoutSeconds 300
    }

    AfterAll {
        if ($Server) { Stop-KolibriServer $Server }
    }

    It 'succeeds while the server keeps answering and logging people in, and the server sees the new users at once' {
        # 24 new users: coaches (roles, so Kolibri always checks their password) and learners in new and old classes.
        $newUsers = foreach ($i in 1..24) {
            $coach = $i % 4 -eq 0
            [pscustomobject]@{
                Username = ('live_{0}{1:00}' -f ($coach ? 'coach' : 'learner'), $i)
                Password = "Live-$i!pw"
                Type     = $coach ? 'CLASS_COACH' : 'LEARNER'
                Enrolled = $coach ? '' : ($i % 2 ? 'Class A' : 'Live Class')
                Assigned = $coach ? 'Live Class' : ''
            }
        }
        $csv = Join-Path $TestDrive 'live.csv'
        New-UsersCsv -Database $Database -Path $csv -NewUsers $newUsers

        # Traffic on the server for the whole import: the public info page and admin sign-ins (a database write).
        $stopFile = Join-Path $TestDrive 'stop-traffic'
        $traffic = Start-ThreadJob -ArgumentList $Server.BaseUrl, $FacilityId, $stopFile -ScriptBlock {
            param($BaseUrl, $FacilityId, $StopFile)
            $login = @{ username = 'admin'; password = 'adminpass'; facility = $FacilityId } | ConvertTo-Json -Compress
            while (-not (Test-Path -LiteralPath $StopFile)) {
                foreach ($request in @(
                        @{ Kind = 'info'; Uri = "$BaseUrl/api/public/info/"; Method = 'Get'; Body = $null }
                        @{ Kind = 'login'; Uri = "$BaseUrl/api/auth/session/"; Method = 'Post'; Body = $login })) {
                    $started = [DateTime]::UtcNow
                    try {
                        $response = Invoke-WebRequest -Uri $request.Uri -Method $request.Method -Body $request.Body `
                            -ContentType 'application/json' -SkipHttpErrorCheck -TimeoutSec 120
                        [pscustomobject]@{ Kind = $request.Kind; Started = $started; Finished = [DateTime]::UtcNow; Status = [int] $response.StatusCode; Error = $null }
                    }
                    catch {
                        [pscustomobject]@{ Kind = $request.Kind; Started = $started; Finished = [DateTime]::UtcNow; Status = 0; Error = $_.Exception.Message }
                    }
                }
                Start-Sleep -Milliseconds 100
            }
        }
        try {
            Wait-ForJob $traffic { @($traffic.Output).Count -ge 4 }
            @($traffic.Output).Count | Should -BeGreaterOrEqual 4 -Because "the server must be busy before the import starts: $($traffic.ChildJobs.Error)"

            $importStarted = [DateTime]::UtcNow
            Import-FacilityUsers -Database $Database -Facility $FacilityId -Path $csv -Confirm:$false -ErrorAction Stop
            $importFinished = [DateTime]::UtcNow

            # Requests that started after the import: one in flight when it finished ends later but started before.
            Wait-ForJob $traffic { @(@($traffic.Output) | Where-Object { $_.Started -gt $importFinished }).Count -ge 4 }
        }
        finally {
            New-Item -ItemType File -Path $stopFile -Force | Out-Null
            $requests = @($traffic | Wait-Job -Timeout 300 | Receive-Job)
            $traffic | Remove-Job -Force
        }

        $requests | Where-Object { $_.Status -ne 200 } | ForEach-Object { "$($_.Kind) $($_.Status) $($_.Error)" } | Should -BeNullOrEmpty
        @($requests | Where-Object { $_.Started -lt $importFinished -and $_.Finished -gt $importStarted }).Count |
            Should -BeGreaterThan 0 -Because 'requests must have been in flight while the import ran'
        @($requests | Where-Object { $_.Started -gt $importFinished }).Count | Should -BeGreaterOrEqual 4

        # The running server (no restart) knows every imported user and their CSV passwords.
        foreach ($user in $newUsers) {
            $session = Invoke-KolibriLogin -Server $Server -Username $user.Username -Password $user.Password -FacilityId $FacilityId
            $session.StatusCode | Should -Be 200 -Because "$($user.Username) signs in with the password from the CSV"
            ($session.Body | ConvertFrom-Json).kind | Should -Contain ($user.Type -eq 'LEARNER' ? 'learner' : 'coach')
        }
        (Invoke-KolibriLogin -Server $Server -Username 'live_coach04' -Password 'not-the-password' -FacilityId $FacilityId).StatusCode | Should -Be 401
        (Invoke-RestMethod -Uri "$($Server.BaseUrl)/api/public/info/" -TimeoutSec 60).kolibri_version | Should -Be '0.17.5'
        Get-KolibriLogProblem -Server $Server | Should -BeNullOrEmpty
    }

    It 'waits while Kolibri holds the write lock, then succeeds, and neither write is lost' {
        # Kolibri itself (its Django shell on the same home) takes the database's write lock in a transaction and keeps
        # it a while, as a long Kolibri write does; the import must wait for it (busy timeout), not fail or lose data.
        # Kolibri's write is a sign-in (last_login), the kind of write a running Kolibri makes all day. (A Kolibri edit of
        # a user's name, password, classes or roles in that window makes the import refuse with a conflict instead:
        # its plan no longer matches the facility.)
        $held = Join-Path $TestDrive 'kolibri-holds-lock'
        $released = Join-Path $TestDrive 'kolibri-released-lock'
        $kitModule = Join-Path $PSScriptRoot 'KolibriKit.psm1'
        $holder = Start-ThreadJob -ArgumentList $kitModule, $KolibriKit, $KolibriHome, $held, $released -ScriptBlock {
            param($KitModule, $KitFolder, $KolibriHome, $Held, $Released)
            Import-Module $KitModule -Force
            $null = Initialize-KolibriKit -KitFolder $KitFolder
            Invoke-KolibriShell -KolibriHome $KolibriHome -Python @"
import time
from datetime import datetime, timezone
from django.db import transaction
from kolibri.core.auth.models import FacilityUser
with transaction.atomic():
    FacilityUser.objects.filter(username='admin').update(last_login=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    open('$Held', 'w').close()
    time.sleep(8)
open('$Released', 'w').close()
print('RESULT', json.dumps('committed'))
"@
        }
        try {
            Wait-ForJob $holder { Test-Path -LiteralPath $held }
            Test-Path -LiteralPath $held | Should -BeTrue -Because "Kolibri's shell must hold the lock first: $($holder.ChildJobs.Error)"

            $csv = Join-Path $TestDrive 'while-locked.csv'
            New-UsersCsv -Database $Database -Path $csv -NewUsers @(
                [pscustomobject]@{ Username = 'after_lock_coach'; Password = 'After-Lock!pw'; Type = 'FACILITY_COACH'; Enrolled = ''; Assigned = '' })
            Import-FacilityUsers -Database $Database -Facility $FacilityId -Path $csv -Confirm:$false -ErrorAction Stop
            Test-Path -LiteralPath $released | Should -BeTrue -Because 'the import can only write after Kolibri released its lock'
        }
        finally {
            $outcome = $holder | Wait-Job -Timeout 180 | Receive-Job
            $holder | Remove-Job -Force
        }

        $outcome | Should -Be 'committed'
        $users = @(Get-FacilityUser -Database $Database -Facility $FacilityId)
        ($users | Where-Object Username -eq 'admin').LastLogin | Should -Be ([DateTimeOffset]::new(2030, 1, 2, 3, 4, 5, [TimeSpan]::Zero))
        $users.Username | Should -Contain 'after_lock_coach'
        (Invoke-KolibriLogin -Server $Server -Username 'after_lock_coach' -Password 'After-Lock!pw' -FacilityId $FacilityId).StatusCode | Should -Be 200
        Get-KolibriLogProblem -Server $Server | Should -BeNullOrEmpty
    }

    It 'refuses to restore a backup over the database while this Kolibri server runs, and leaves the database as it is' {
        # Restore-FacilityDatabase detects a running Kolibri the way Kolibri does (KOLIBRI_HOME/server.pid names a live
        # process); here the real server started by `kolibri start` is the one running.
        $backup = Get-FacilityBackup -Database $Database | Where-Object Path | Select-Object -First 1
        $backup | Should -Not -BeNullOrEmpty -Because 'the imports above took backups'
        $usersBefore = @(Get-FacilityUser -Database $Database).Count
        $backupFilesBefore = @(Get-ChildItem -LiteralPath (Split-Path $backup.Path) -Force).Name

        { $backup | Restore-FacilityDatabase -Database $Database -Confirm:$false -ErrorAction Stop } |
            Should -Throw -ErrorId 'KolibriRunning,KolibriFacility.PowerShell.Commands.RestoreFacilityDatabaseCommand'

        @(Get-FacilityUser -Database $Database).Count | Should -Be $usersBefore
        (Invoke-RestMethod -Uri "$($Server.BaseUrl)/api/public/info/" -TimeoutSec 60).kolibri_version | Should -Be '0.17.5'
        @(Get-ChildItem -LiteralPath (Split-Path $backup.Path) -Force).Name | Should -Be $backupFilesBefore -Because 'a refused restore makes no safety copy'
    }
}
