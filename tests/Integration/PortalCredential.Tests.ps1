#Requires -Version 7.4
<#
    Invoke-PortalSync -Server -Credential with real Kolibri 0.17.5 (the reference kit): the password reaches
    Kolibri's sync, but never a command line.
    Server A: a real Kolibri server on a loopback port with a copy of the fixture; its superuser's password starts
    with '-' (which `--password -x` would break). Device B: another copy of the fixture made into a device of its
    own (a new morango database id) that holds the facility's data but not the facility's key, so Kolibri's sync
    must get a certificate from A with the account (a certificate signing request): the only step that uses the
    password. B syncs with A through Invoke-PortalSync, its -KolibriCommand a wrapper of the kit's kolibri that
    records the argument vector it is given, while a watcher reads /proc/*/cmdline of every process all along.
    The test fails, never skips, when the Kolibri kit cannot be set up.
#>

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $script:DatasetId = 'e53af19467e2a90b59f255d539e476a6' # the fixture facility's dataset (= its root certificate)
    $script:Password = '-Peer pass 9!'
    $script:Started = [System.Collections.Generic.List[object]]::new()

    $template = New-TestKolibriHome
    Initialize-KolibriHome -KolibriHome $template
    function Copy-KolibriHome {
        $copy = Join-Path $TestDrive ('home-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
        Copy-Item -LiteralPath $template -Destination $copy -Recurse
        $copy
    }

    function Get-OwnedFullFacilityCertificates([string] $KolibriHome) {
        Invoke-KolibriShell -KolibriHome $KolibriHome -Python @"
from morango.models import Certificate
owned = Certificate.objects.get(id="$script:DatasetId").get_descendants(include_self=True).filter(scope_definition_id="full-facility").exclude(_private_key=None)
print("RESULT", json.dumps(owned.count()))
"@
    }

    $script:ServerHome = Copy-KolibriHome
    $null = Invoke-KolibriShell -KolibriHome $script:ServerHome -Python @"
from kolibri.core.auth.models import FacilityUser
admin = FacilityUser.objects.get(username="admin")
admin.set_password($(ConvertTo-Json $script:Password))
admin.save()
print("RESULT", json.dumps(admin.is_superuser))
"@

    $script:DeviceHome = Copy-KolibriHome
    $null = Invoke-KolibriShell -KolibriHome $script:DeviceHome -Python @"
from morango.models import Certificate, DatabaseIDModel, InstanceIDModel
DatabaseIDModel.objects.create()  # a device of its own: another morango instance id than A's
Certificate.objects.get(id="$script:DatasetId").get_descendants(include_self=True).update(_private_key=None)
print("RESULT", json.dumps(InstanceIDModel.get_or_create_current_instance()[0].id))
"@
    $script:OwnedBefore = Get-OwnedFullFacilityCertificates $script:DeviceHome

    # The kit's kolibri for B (the lead's helper), with one line added that records the argument vector.
    $script:ArgvLog = Join-Path $TestDrive 'kolibri-argv.txt'
    $wrapper = New-KolibriCommandScript -KolibriHome $script:DeviceHome -Path (Join-Path $TestDrive 'kolibri')
    $lines = [System.Collections.Generic.List[string]](Get-Content -LiteralPath $wrapper)
    $lines.Insert($lines.Count - 1, "{ printf '%s\n' `"`$@`"; echo '--- end of run ---'; } >> '$($script:ArgvLog)'")
    Set-Content -LiteralPath $wrapper -Value $lines -Encoding utf8NoBOM
    $script:Kolibri = $wrapper

    $script:Server = Start-KolibriServer -KolibriHome $script:ServerHome
    $script:Started.Add($script:Server)

    function Invoke-WatchedSync([string] $Password) {
        # Reads every process's command line every few milliseconds while the sync runs.
        $stop = Join-Path $TestDrive ('stop-' + [guid]::NewGuid().ToString('N'))
        $watcher = Start-ThreadJob -ArgumentList $Password, $stop -ScriptBlock {
            param($secret, $stopFile)
            $hits = [System.Collections.Generic.HashSet[string]]::new()
            $seen = [System.Collections.Generic.HashSet[string]]::new()
            $scans = 0
            while (-not (Test-Path -LiteralPath $stopFile)) {
                foreach ($folder in [System.IO.Directory]::GetDirectories('/proc')) {
                    if ([System.IO.Path]::GetFileName($folder) -notmatch '^\d+$') { continue }
                    $file = "$folder/cmdline"
                    try { $command = [System.IO.File]::ReadAllText($file).Replace([char]0, ' ') } catch { continue }
                    if ($command.Contains($secret)) { $null = $hits.Add("$file $command") }
                    if ($command.Contains('call_command')) { $null = $seen.Add($command) }
                }
                $scans++
            }
            [pscustomobject]@{ Hits = @($hits); Seen = @($seen); Scans = $scans }
        }
        try {
            $credential = [pscredential]::new('admin', (ConvertTo-SecureString $Password -AsPlainText -Force))
            $errors = $null
            $stream = Invoke-PortalSync -Database (Join-Path $script:DeviceHome 'db.sqlite3') -Server $script:Server.BaseUrl -Credential $credential `
                -KolibriCommand $script:Kolibri -NoPush -Verbose -ErrorVariable errors -ErrorAction SilentlyContinue 4>&1 3>&1
        }
        finally {
            New-Item -ItemType File -Path $stop | Out-Null
            $watch = $watcher | Wait-Job -Timeout 60 | Receive-Job
            $watcher | Remove-Job -Force
        }
        [pscustomobject]@{
            Result  = @($stream | Where-Object { $_.PSObject.TypeNames -contains 'KolibriFacility.Core.Portal.SyncResult' })
            Text    = ($stream | Out-String) + ($errors | Out-String)
            Errors  = @($errors)
            Watch   = $watch
        }
    }

    $script:Wrong = Invoke-WatchedSync 'not the password'
    $script:OwnedAfterWrong = Get-OwnedFullFacilityCertificates $script:DeviceHome
    $script:Right = Invoke-WatchedSync $script:Password
    $script:OwnedAfter = Get-OwnedFullFacilityCertificates $script:DeviceHome
    $script:Argv = Get-Content -LiteralPath $script:ArgvLog -Raw
    $script:DeviceLog = Get-Content -LiteralPath (Join-Path $script:DeviceHome 'logs' 'kolibri.txt') -Raw
}

AfterAll {
    # Pass or fail: the server is stopped by its process id.
    foreach ($server in $script:Started) { Stop-KolibriServer $server }
}

Describe 'A peer sync with -Credential against a real Kolibri server' {
    It 'starts from a device that needs the account: it has the facility but not its key' {
        $script:OwnedBefore | Should -Be 0
    }

    It 'is refused by Kolibri with a wrong password, and no certificate is issued' {
        $script:Wrong.Result | Should -BeNullOrEmpty
        $script:Wrong.Errors.Count | Should -Be 1
        $script:Wrong.Errors[0].FullyQualifiedErrorId | Should -BeLike 'KolibriSyncFailed,*'
        $script:OwnedAfterWrong | Should -Be 0
    }

    It 'succeeds with the right password, which starts with a dash: Kolibri signed a certificate for the device' {
        $script:Right.Errors | Should -BeNullOrEmpty
        $script:Right.Result.Count | Should -Be 1
        $script:Right.Result[0].Status | Should -Be 'Completed'
        $script:Right.Result[0].ExitCode | Should -Be 0
        $script:OwnedAfter | Should -BeGreaterThan 0
    }

    It 'never puts the password in a process''s command line' {
        foreach ($run in $script:Wrong, $script:Right) {
            $run.Watch.Scans | Should -BeGreaterThan 0
            @($run.Watch.Seen).Count | Should -BeGreaterThan 0 -Because 'the watcher saw Kolibri running the module''s shell code'
            $run.Watch.Hits | Should -BeNullOrEmpty
        }
        $script:Argv | Should -Not -BeNullOrEmpty
        $script:Argv.Contains($script:Password) | Should -BeFalse
        $script:Argv.Contains('not the password') | Should -BeFalse
        @($script:Argv -split "`n" | Select-Object -First 3) | Should -Be @('manage', 'shell', '-c')
    }

    It 'never shows the password in the output, errors or Kolibri''s log' {
        $script:Right.Text.Contains($script:Password) | Should -BeFalse
        $script:Wrong.Text.Contains('not the password') | Should -BeFalse
        $script:Right.Text | Should -Match ([regex]::Escape('--password=********'))
        $script:DeviceLog.Contains($script:Password) | Should -BeFalse
    }
}
