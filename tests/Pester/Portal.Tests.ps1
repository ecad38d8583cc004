#Requires -Version 7.4
<#
    Admin stories for Invoke-PortalSync and Get-PortalSyncStatus, against the built module (out/KolibriFacility).
    No real portal or Kolibri is used. Two stand-ins from tests/KolibriFacility.KolibriStandIn (build with
    `dotnet build` first):
      - the Kolibri Data Portal stand-in: `KolibriFacility.KolibriStandIn portal ...`, an HTTP server on 127.0.0.1
        that verifies the registration's certificate chain and nonce signature;
      - the stand-in for Kolibri's `kolibri` command: records its arguments in KOLIBRI_HOME and prints Kolibri-shaped
        sync output; its scenario (success, failure, ...) is chosen by kolibri-standin-scenario.txt in KOLIBRI_HOME.
    Every test works on a copy of the Kolibri 0.17.5 fixture database in TestDrive.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    $script:StandIn = Get-TestProgram 'KolibriFacility.KolibriStandIn'
    $script:Fixture = $FixtureDatabase
    $script:FacilityId = '9c9a861ccfe31c98f97cb3d38f9dc039'
    $script:TypedToken = 'kx7qp-m2vd9'

    function Start-PortalStandIn {
        param([switch] $RequireSync, [string] $AlreadyRegistered)
        $state = Join-Path $TestDrive ("portal-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $state | Out-Null
        $arguments = @('portal', '--state', $state, '--token', 'kx7qpm2vd9', '--project', 'Nairobi Learning Centres')
        if ($RequireSync) { $arguments += '--require-sync' }
        if ($AlreadyRegistered) { $arguments += @('--registered', $AlreadyRegistered) }
        # ProcessStartInfo.ArgumentList passes each argument whole ('Nairobi Learning Centres' stays one argument;
        # Start-Process -ArgumentList joins them with spaces).
        $start = [System.Diagnostics.ProcessStartInfo]::new($script:StandIn)
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.UseShellExecute = $false
        $process = [System.Diagnostics.Process]::Start($start)
        $deadline = (Get-Date).AddSeconds(20)
        while (-not (Test-Path (Join-Path $state 'portal-url.txt')) -and (Get-Date) -lt $deadline) { Start-Sleep -Milliseconds 100 }
        [pscustomobject]@{
            Url     = (Get-Content (Join-Path $state 'portal-url.txt') -Raw).Trim()
            State   = $state
            Process = $process
        }
    }

    function Stop-PortalStandIn($Portal) {
        New-Item -ItemType File -Path (Join-Path $Portal.State 'portal-stop') -Force | Out-Null
        if (-not $Portal.Process.WaitForExit(10000)) { $Portal.Process.Kill() }
    }

    function Get-PortalState($Portal) {
        Start-Sleep -Milliseconds 300 # the stand-in saves its state every 100 ms
        Get-Content (Join-Path $Portal.State 'portal-state.json') -Raw | ConvertFrom-Json
    }

    function New-KolibriHome([string] $Scenario = 'success', [switch] $Contact) {
        $kolibriHome = Join-Path $TestDrive ("home-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $kolibriHome | Out-Null
        Copy-Item $script:Fixture (Join-Path $kolibriHome 'db.sqlite3')
        Set-Content (Join-Path $kolibriHome 'kolibri-standin-scenario.txt') -Value (@($Scenario) + @(if ($Contact) { 'contact' }))
        $kolibriHome
    }

    function Get-StandInRuns([string] $KolibriHome) {
        $record = Join-Path $KolibriHome 'kolibri-standin-record.jsonl'
        if (-not (Test-Path $record)) { return @() }
        @(Get-Content $record | ConvertFrom-Json | Where-Object event -eq 'start')
    }

    function Get-Token { ConvertTo-SecureString $script:TypedToken -AsPlainText -Force }
}

Describe 'Registering a facility with a project token and syncing it' {
    BeforeEach {
        $portal = Start-PortalStandIn
        $kolibriHome = New-KolibriHome
        $db = Join-Path $kolibriHome 'db.sqlite3'
    }
    AfterEach { Stop-PortalStandIn $portal }

    It 'registers, syncs and reports the result' {
        $result = Invoke-PortalSync -Database $db -Token (Get-Token) -PortalUrl $portal.Url -KolibriCommand $script:StandIn

        $result.Status | Should -Be 'Completed'
        $result.Registered | Should -BeTrue
        $result.Project | Should -Be 'Nairobi Learning Centres'
        $result.Server | Should -Be $portal.Url
        $state = Get-PortalState $portal
        $state.rejections | Should -BeNullOrEmpty
        @($state.registrations).Count | Should -Be 1
        $state.registrations[0].Token | Should -Be 'kx7qpm2vd9'   # first '-' removed, as Kolibri's dialog does
        (Get-PortalSyncStatus -Database $db).Registered | Should -BeTrue

        $run = Get-StandInRuns $kolibriHome
        $run.Count | Should -Be 1
        $run[0].args | Should -Be @('manage', 'sync', '--facility', $script:FacilityId, '--baseurl', $portal.Url, '--chunk-size', '200', '--noninteractive')
        $run[0].kolibriHome | Should -Be $kolibriHome
    }

    It 'accepts the token as a plain string too and never prints it' {
        $all = Invoke-PortalSync -Database $db -Token $script:TypedToken -PortalUrl $portal.Url -KolibriCommand $script:StandIn -Verbose 4>&1 3>&1 | Out-String
        $all | Should -Not -Match 'kx7qp'
        (Get-PortalSyncStatus -Database $db).Registered | Should -BeTrue
    }

    It '-WhatIf validates the token, names the project and changes nothing' {
        $before = (Get-FileHash $db).Hash
        # "What if:" lines go to the host, not to a stream; the project's name is also in the verbose stream.
        $output = Invoke-PortalSync -Database $db -Token (Get-Token) -PortalUrl $portal.Url -KolibriCommand $script:StandIn -WhatIf -Verbose 4>&1 | Out-String

        $output | Should -Match "project 'Nairobi Learning Centres'"
        (Get-FileHash $db).Hash | Should -Be $before
        Get-StandInRuns $kolibriHome | Should -BeNullOrEmpty
        @((Get-PortalState $portal).registrations).Count | Should -Be 0
    }

    It 'refuses an invalid token with a clear error and changes nothing' {
        $before = (Get-FileHash $db).Hash
        { Invoke-PortalSync -Database $db -Token 'wrong-token' -PortalUrl $portal.Url -KolibriCommand $script:StandIn -ErrorAction Stop } |
            Should -Throw -ErrorId 'PortalTokenInvalid,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand'
        (Get-FileHash $db).Hash | Should -Be $before
        Get-StandInRuns $kolibriHome | Should -BeNullOrEmpty
    }

    It 'later syncs need no token' {
        Invoke-PortalSync -Database $db -Token (Get-Token) -PortalUrl $portal.Url -KolibriCommand $script:StandIn | Out-Null
        $again = Invoke-PortalSync -Database $db -PortalUrl $portal.Url -KolibriCommand $script:StandIn -WarningVariable warnings
        $again.Status | Should -Be 'Completed'
        $warnings | Should -BeNullOrEmpty
        (Get-StandInRuns $kolibriHome).Count | Should -Be 2
    }
}

Describe 'What the portal says about the facility' {
    It 'reports a facility already registered with a project' {
        $portal = Start-PortalStandIn -AlreadyRegistered $script:FacilityId
        try {
            $db = Join-Path (New-KolibriHome) 'db.sqlite3'
            { Invoke-PortalSync -Database $db -Token (Get-Token) -PortalUrl $portal.Url -KolibriCommand $script:StandIn -ErrorAction Stop } |
                Should -Throw -ErrorId 'PortalAlreadyRegistered,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand'
            (Get-PortalSyncStatus -Database $db).Registered | Should -BeFalse
        }
        finally { Stop-PortalStandIn $portal }
    }

    It 'syncs first and registers again when the portal does not know the facility yet' {
        $portal = Start-PortalStandIn -RequireSync
        try {
            $kolibriHome = New-KolibriHome -Contact
            $db = Join-Path $kolibriHome 'db.sqlite3'
            $result = Invoke-PortalSync -Database $db -Token (Get-Token) -PortalUrl $portal.Url -KolibriCommand $script:StandIn
            $result.Registered | Should -BeTrue
            (Get-StandInRuns $kolibriHome).Count | Should -Be 2
            @((Get-PortalState $portal).registrations).Count | Should -Be 1
        }
        finally { Stop-PortalStandIn $portal }
    }
}

Describe 'When Kolibri cannot sync' {
    BeforeAll { $portal = Start-PortalStandIn }
    AfterAll { Stop-PortalStandIn $portal }

    It 'says how to point the module at Kolibri when the command is missing' {
        $db = Join-Path (New-KolibriHome) 'db.sqlite3'
        $err = { Invoke-PortalSync -Database $db -PortalUrl $portal.Url -KolibriCommand (Join-Path $TestDrive 'no' 'kolibri') -ErrorAction Stop } |
            Should -Throw -ErrorId 'KolibriCommandNotFound,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand' -PassThru
        $err.Exception.Message | Should -Match 'KOLIBRI_COMMAND'
    }

    It 'turns a failed Kolibri sync into an error with Kolibri''s message and the result' {
        $db = Join-Path (New-KolibriHome -Scenario failure) 'db.sqlite3'
        Invoke-PortalSync -Database $db -PortalUrl $portal.Url -KolibriCommand $script:StandIn -ErrorVariable failed -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be 'KolibriSyncFailed,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand'
        $failed[0].Exception.Message | Should -Match 'Device can not sync with itself'
        $failed[0].TargetObject.ExitCode | Should -Be 1
        $failed[0].TargetObject.Status | Should -Be 'Failed'
    }
}

Describe 'Syncing with a peer Kolibri server' {
    It 'passes the admin account to Kolibri and keeps the password out of sight' {
        $kolibriHome = New-KolibriHome
        $db = Join-Path $kolibriHome 'db.sqlite3'
        $credential = [pscredential]::new('admin', (ConvertTo-SecureString 'peerpass9' -AsPlainText -Force))
        $all = Invoke-PortalSync -Database $db -Server 10.0.0.5:8080 -Credential $credential -KolibriCommand $script:StandIn -Verbose 4>&1 | Out-String

        $all | Should -Not -Match 'peerpass9'
        $run = Get-StandInRuns $kolibriHome
        $run[0].args | Should -Not -Contain 'peerpass9'
        $run[0].syncArgs | Should -Contain 'http://10.0.0.5:8080'
        $run[0].syncArgs[-2..-1] | Should -Be @('--username=admin', '--password=peerpass9')
        $run[0].portalUrl | Should -BeNullOrEmpty
    }
}

Describe 'Get-PortalSyncStatus' {
    It 'shows an unregistered, never-synced facility with the default portal' {
        $status = Get-PortalSyncStatus -Database (Join-Path (New-KolibriHome) 'db.sqlite3')
        $status.Facility | Should -Be 'Demo Facility'
        $status.Registered | Should -BeFalse
        $status.OwnsCertificate | Should -BeTrue
        $status.PortalUrl | Should -Be 'https://kolibridataportal.learningequality.org'
        $status.LastSuccessfulSync | Should -BeNullOrEmpty
        { $status | Format-List | Out-String } | Should -Not -Throw
    }

    It 'reads the portal address from options.ini' {
        $kolibriHome = New-KolibriHome
        Set-Content (Join-Path $kolibriHome 'options.ini') "[Urls]`nDATA_PORTAL_SYNCING_BASE_URL = https://kdp.example.org"
        (Get-PortalSyncStatus -Database (Join-Path $kolibriHome 'db.sqlite3')).PortalUrl | Should -Be 'https://kdp.example.org'
    }
}
