# Real Kolibri 0.17.5 as the oracle of the integration tests: the reference kit in ../shared/kolibri/reference
# (installed offline by its setup.sh), driven from Pester. Every Kolibri command runs in a KOLIBRI_HOME of the
# test's own, never the developer's ~/.kolibri, and every server binds 127.0.0.1 on a free port and is stopped by
# its process id.
Set-StrictMode -Version 3.0

$script:KitEnv = $null

function Initialize-KolibriKit {
    <# Installs (first time, ~45 s) or checks (~0.3 s) the kit and returns the path of its env.sh. Throws with the
       setup log when the kit cannot be set up: integration tests fail, they never skip. #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)][string] $KitFolder)
    if ($script:KitEnv) { return $script:KitEnv }
    $setup = Join-Path $KitFolder 'setup.sh'
    if (-not (Test-Path -LiteralPath $setup)) { throw "The Kolibri reference kit is missing: $setup" }
    $log = & bash $setup 2>&1
    $envSh = ($log | Select-Object -Last 1) -as [string]
    if ($LASTEXITCODE -ne 0 -or -not $envSh -or -not (Test-Path -LiteralPath $envSh.Trim())) {
        throw "The Kolibri reference kit could not be set up (bash $setup, exit $LASTEXITCODE):`n$(($log | Select-Object -Last 30) -join "`n")"
    }
    $script:KitEnv = $envSh.Trim()
    $script:KitEnv
}

function Assert-KitReady {
    if (-not $script:KitEnv) { throw 'Call Initialize-KolibriKit first.' }
}

# Runs a command inside the kit's environment: env.sh sourced, KOLIBRI_HOME set, then every KF_SET_<NAME> variable
# exported as <NAME> (so a test can override what env.sh sets, e.g. the portal URL).
$script:Prologue = '. "$KF_KIT_ENV"; export KOLIBRI_HOME="$KF_KOLIBRI_HOME"; for v in $(compgen -v KF_SET_); do export "${v#KF_SET_}=${!v}"; done; exec "$@"'

function New-KitProcessStartInfo([string] $KolibriHome, [string[]] $ArgumentList, [hashtable] $Environment) {
    $info = [System.Diagnostics.ProcessStartInfo]::new('bash')
    foreach ($a in @('-c', $script:Prologue, 'kolibri-kit') + $ArgumentList) { $info.ArgumentList.Add($a) }
    $info.Environment['KF_KIT_ENV'] = $script:KitEnv
    $info.Environment['KF_KOLIBRI_HOME'] = $KolibriHome
    if ($Environment) { foreach ($k in $Environment.Keys) { $info.Environment["KF_SET_$k"] = [string] $Environment[$k] } }
    $info.UseShellExecute = $false
    $info
}

function Invoke-Kolibri {
    <# Runs `kolibri <arguments>` for a KOLIBRI_HOME and returns its exit code and output (stdout and stderr).
       -Check throws with the output when the exit code is not 0. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $KolibriHome,
        [Parameter(Mandatory)][string[]] $ArgumentList,
        [hashtable] $Environment,
        [switch] $Check,
        [int] $TimeoutSeconds = 600
    )
    Assert-KitReady
    $info = New-KitProcessStartInfo $KolibriHome (@('kolibri') + $ArgumentList) $Environment
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $stdout = $process.StandardOutput.ReadToEndAsync()
    $stderr = $process.StandardError.ReadToEndAsync()
    if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
        $process.Kill($true)
        throw "kolibri $($ArgumentList -join ' ') did not finish in $TimeoutSeconds s"
    }
    $process.WaitForExit()
    $result = [pscustomobject]@{
        ExitCode = $process.ExitCode
        Output   = $stdout.Result + $stderr.Result
    }
    if ($Check -and $result.ExitCode -ne 0) {
        throw "kolibri $($ArgumentList -join ' ') failed with exit code $($result.ExitCode):`n$($result.Output)"
    }
    $result
}

function Initialize-KolibriHome {
    <# Makes a KOLIBRI_HOME ready for Kolibri: `kolibri manage migrate` (creates Kolibri's other databases next to
       db.sqlite3, or a fresh db.sqlite3 when there is none). #>
    [CmdletBinding()]
    param([Parameter(Mandatory)][string] $KolibriHome)
    $null = Invoke-Kolibri -KolibriHome $KolibriHome -ArgumentList 'manage', 'migrate' -Check
}

function Invoke-KolibriShell {
    <# Runs Python in Kolibri's Django shell (`kolibri manage shell`) and returns what it prints on lines that start
       with RESULT, parsed as JSON: print('RESULT', json.dumps(value)). Throws with the output on failure. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $KolibriHome,
        [Parameter(Mandatory)][string] $Python
    )
    $script = [System.IO.Path]::GetTempFileName()
    try {
        Set-Content -LiteralPath $script -Value ("import json`n" + $Python) -Encoding utf8NoBOM
        $run = Invoke-Kolibri -KolibriHome $KolibriHome -ArgumentList 'manage', 'shell', '-c', "exec(open('$script').read())"
        if ($run.ExitCode -ne 0) { throw "Kolibri's shell failed (exit $($run.ExitCode)):`n$($run.Output)" }
        $lines = @($run.Output -split "`r?`n" | Where-Object { $_.StartsWith('RESULT ') })
        if (-not $lines) { throw "Kolibri's shell printed no RESULT line:`n$($run.Output)" }
        foreach ($line in $lines) { $line.Substring(7) | ConvertFrom-Json -NoEnumerate }
    }
    finally {
        Remove-Item -LiteralPath $script -ErrorAction SilentlyContinue
    }
}

function Get-FreeTcpPort {
    [OutputType([int])]
    param()
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Start-KolibriServer {
    <# Starts `kolibri start --foreground` for a KOLIBRI_HOME on free 127.0.0.1 ports and waits until
       /api/public/info/ answers. Returns Process, Port, BaseUrl and Log; stop it with Stop-KolibriServer. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $KolibriHome,
        [hashtable] $Environment,
        [int] $TimeoutSeconds = 120
    )
    Assert-KitReady
    $port = Get-FreeTcpPort
    do { $zipPort = Get-FreeTcpPort } while ($zipPort -eq $port)
    $log = Join-Path $KolibriHome "server-$port.log"
    # The shell redirects, then execs: the process we hold is Kolibri itself, so its pid stops it.
    $info = New-KitProcessStartInfo $KolibriHome @('bash', '-c', 'exec "$@" >"$KF_SERVER_LOG" 2>&1', 'server',
        'kolibri', 'start', '--foreground', '--port', "$port", '--zip-port', "$zipPort") $Environment
    $info.Environment['KF_SERVER_LOG'] = $log
    $process = [System.Diagnostics.Process]::Start($info)
    $server = [pscustomobject]@{
        Process = $process
        Port    = $port
        BaseUrl = "http://127.0.0.1:$port"
        Log     = $log
        Home    = $KolibriHome
    }
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline) {
        if ($process.HasExited) { break }
        try {
            $null = Invoke-RestMethod -Uri "$($server.BaseUrl)/api/public/info/" -TimeoutSec 2
            return $server
        }
        catch { Start-Sleep -Milliseconds 250 }
    }
    $tail = if (Test-Path -LiteralPath $log) { (Get-Content -LiteralPath $log -Tail 30) -join "`n" } else { '' }
    Stop-KolibriServer $server
    throw "Kolibri's server did not answer on $($server.BaseUrl) within $TimeoutSeconds s:`n$tail"
}

function Stop-KolibriServer {
    <# Stops a server started by Start-KolibriServer: SIGTERM (graceful, 2-3 s), then kill after 30 s. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Server)
    $process = $Server.Process
    if (-not $process -or $process.HasExited) { return }
    if ($IsWindows) { $process.Kill($true) }
    else { & kill -TERM $process.Id 2>$null }
    if (-not $process.WaitForExit(30000)) { $process.Kill($true); $process.WaitForExit() }
}

function Start-KolibriPeerPair {
    <# The two devices of the sync stories: Kolibri's server runs on ServerHome (device A), and device B, a new
       KOLIBRI_HOME in Folder, gets the facility the way an admin's device does: `kolibri manage migrate`, then
       Kolibri's own first pull (`manage sync`) with an admin account of A. Returns Server (A's server, for
       Stop-KolibriServer), HomeA, HomeB, DatabaseB (B's db.sqlite3) and KolibriB (a `kolibri` command for B, see
       New-KolibriCommandScript). When B cannot get the facility, A's server is stopped before the error is thrown. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $ServerHome,
        [Parameter(Mandatory)][string] $Folder,
        [Parameter(Mandatory)][string] $FacilityId,
        [string] $AdminUsername = 'admin',
        [string] $AdminPassword = 'adminpass'
    )
    $homeB = Join-Path $Folder 'home-b'
    $null = New-Item -ItemType Directory -Path $homeB
    $kolibriB = New-KolibriCommandScript -KolibriHome $homeB -Path (Join-Path $Folder 'kolibri-b.sh')
    $server = Start-KolibriServer -KolibriHome $ServerHome -TimeoutSeconds 300
    try {
        Initialize-KolibriHome -KolibriHome $homeB
        $null = Invoke-Kolibri -KolibriHome $homeB -Check -ArgumentList 'manage', 'sync', '--baseurl', $server.BaseUrl,
            '--facility', $FacilityId, '--username', $AdminUsername, '--password', $AdminPassword, '--noninteractive'
    }
    catch {
        Stop-KolibriServer $server
        throw
    }
    [pscustomobject]@{
        Server    = $server
        HomeA     = $ServerHome
        HomeB     = $homeB
        DatabaseB = Join-Path $homeB 'db.sqlite3'
        KolibriB  = $kolibriB
    }
}

function New-KolibriCommandScript {
    <# A `kolibri` command for the module's -KolibriCommand / $env:KOLIBRI_COMMAND: a script that runs the kit's
       Kolibri for the given KOLIBRI_HOME (what an admin's `kolibri` on PATH is). #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][string] $KolibriHome,
        [Parameter(Mandatory)][string] $Path
    )
    Assert-KitReady
    $body = @(
        '#!/bin/bash'
        ". '$($script:KitEnv)'"
        "export KOLIBRI_HOME='$KolibriHome'"
        'exec kolibri "$@"'
    ) -join "`n"
    Set-Content -LiteralPath $Path -Value $body -Encoding utf8NoBOM
    & chmod 0755 $Path
    $Path
}

function Get-KolibriUnsyncedRecordCount {
    <# How many facility-data records Kolibri's sync will send from this KOLIBRI_HOME next time, as morango counts
       them: rows changed since the last sync (dirty bit set) plus deletions waiting to be recorded
       (morango_deletedmodels / morango_harddeletedmodels). Asked through Kolibri's own registry of syncable models. #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)][string] $KolibriHome)
    $python = @'
from morango.registry import syncable_models
from morango.models.core import DeletedModels, HardDeletedModels
models = {m._meta.concrete_model for m in syncable_models.get_models('facilitydata')}
dirty = sum(m.objects.filter(_morango_dirty_bit=True).count() for m in models)
deleted = set(DeletedModels.objects.values_list('id', flat=True)) | set(HardDeletedModels.objects.values_list('id', flat=True))
print('RESULT', json.dumps(dirty + len(deleted)))
'@
    [int] (Invoke-KolibriShell -KolibriHome $KolibriHome -Python $python)
}

function Invoke-KolibriLogin {
    <# Logs in through a running server's session API (POST /api/auth/session/, as Kolibri's sign-in page does) and
       returns StatusCode and Body (the session as JSON on success, Kolibri's error list otherwise); never throws on
       an HTTP error status. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] $Server,
        [Parameter(Mandatory)][string] $Username,
        [Parameter(Mandatory)][AllowEmptyString()][string] $Password,
        [Parameter(Mandatory)][string] $FacilityId,
        [int] $TimeoutSeconds = 60
    )
    $body = @{ username = $Username; password = $Password; facility = $FacilityId } | ConvertTo-Json -Compress
    $response = Invoke-WebRequest -Uri "$($Server.BaseUrl)/api/auth/session/" -Method Post -Body $body `
        -ContentType 'application/json' -SkipHttpErrorCheck -TimeoutSec $TimeoutSeconds
    [pscustomobject]@{
        StatusCode = [int] $response.StatusCode
        Body       = [string] $response.Content
    }
}

function Get-KolibriLogProblem {
    <# Lines of a server's console log and of KOLIBRI_HOME/logs/*.txt that report database trouble or an unhandled
       error: "database is locked", OperationalError, IntegrityError, DatabaseError, tracebacks, ERROR/CRITICAL
       records. Returns "<file>: <line>" strings (none when all is well). #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] $Server)
    $files = @($Server.Log) + @(Get-ChildItem -LiteralPath (Join-Path $Server.Home 'logs') -Filter '*.txt' -File -ErrorAction SilentlyContinue |
        ForEach-Object FullName)
    $pattern = 'database is locked|OperationalError|IntegrityError|DatabaseError|Traceback \(most recent call last\)|^(ERROR|CRITICAL)\s'
    foreach ($file in $files | Where-Object { $_ -and (Test-Path -LiteralPath $_) }) {
        Select-String -LiteralPath $file -Pattern $pattern | ForEach-Object { "$(Split-Path -Leaf $file): $($_.Line)" }
    }
}

Export-ModuleMember -Function Initialize-KolibriKit, Invoke-Kolibri, Initialize-KolibriHome, Invoke-KolibriShell,
    Get-FreeTcpPort, Start-KolibriServer, Stop-KolibriServer, New-KolibriCommandScript, Start-KolibriPeerPair

function Invoke-KolibriPython {
    <# Runs a Python file in Kolibri's Django shell with a global ARGS (the -Arguments object, passed as JSON) and
       returns what it prints on RESULT lines (see Invoke-KolibriShell). One Kolibri start-up for a whole script. #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][string] $KolibriHome,
        [Parameter(Mandatory)][string] $Path,
        [object] $Arguments = @{}
    )
    $json = ConvertTo-Json -InputObject $Arguments -Depth 20 -Compress
    $base64 = [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($json))
    $fullPath = (Resolve-Path -LiteralPath $Path).Path
    $python = "import base64`nARGS = json.loads(base64.b64decode('$base64').decode('utf-8'))`n" +
        "exec(compile(open(r'''$fullPath''', encoding='utf-8').read(), r'''$fullPath''', 'exec'))"
    Invoke-KolibriShell -KolibriHome $KolibriHome -Python $python
}

function Compare-KolibriCsv {
    <# Compares a CSV file with the one Kolibri wrote, byte for byte: the same bytes, or with -AnyRowOrder (for
       Kolibri's queries without ORDER BY) the same first line (byte order mark and header) and the same multiset
       of CRLF-terminated lines. Returns one string per difference; nothing when the files are equal. #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)][string] $Expected,
        [Parameter(Mandatory)][string] $Actual,
        [switch] $AnyRowOrder
    )
    $expectedBytes = [System.IO.File]::ReadAllBytes($Expected)
    $actualBytes = [System.IO.File]::ReadAllBytes($Actual)
    if ([System.Linq.Enumerable]::SequenceEqual($expectedBytes, $actualBytes)) { return }
    if (-not $AnyRowOrder) {
        $at = 0
        while ($at -lt [Math]::Min($expectedBytes.Length, $actualBytes.Length) -and $expectedBytes[$at] -eq $actualBytes[$at]) { $at++ }
        "the files differ from byte $at on ($($expectedBytes.Length) bytes expected, $($actualBytes.Length) actual)"
    }
    $utf8 = [System.Text.UTF8Encoding]::new($false, $true)
    $expectedLines = $utf8.GetString($expectedBytes) -split "`r`n"
    $actualLines = $utf8.GetString($actualBytes) -split "`r`n"
    if ($expectedLines[0] -cne $actualLines[0]) { "first line: expected <$($expectedLines[0])>, actual <$($actualLines[0])>" }
    if ($expectedLines[-1] -cne $actualLines[-1]) { "end of file: expected <$($expectedLines[-1])> after the last CRLF, actual <$($actualLines[-1])>" }
    if (-not $AnyRowOrder) { return }
    $counts = [System.Collections.Generic.Dictionary[string, int]]::new([StringComparer]::Ordinal)
    foreach ($line in $expectedLines) { $n = 0; $null = $counts.TryGetValue($line, [ref] $n); $counts[$line] = $n + 1 }
    foreach ($line in $actualLines) { $n = 0; $null = $counts.TryGetValue($line, [ref] $n); $counts[$line] = $n - 1 }
    $differences = @($counts.GetEnumerator() | Where-Object Value -ne 0 | Sort-Object Key)
    foreach ($d in $differences | Select-Object -First 20) {
        if ($d.Value -gt 0) { "only in Kolibri's file ($($d.Value)x): $($d.Key)" } else { "only in ours ($(-$d.Value)x): $($d.Key)" }
    }
    if ($differences.Count -gt 20) { "... and $($differences.Count - 20) more differing lines" }
}

Export-ModuleMember -Function Invoke-KolibriPython, Compare-KolibriCsv, Get-KolibriUnsyncedRecordCount, Invoke-KolibriLogin,
    Get-KolibriLogProblem

# A users CSV edited as an admin edits one in a spreadsheet: read from an Export-FacilityUsers file ("Label (KEY)"
# header) into an ordered dictionary username -> row (properties named by the bare keys), changed, written back with
# the bare-key header Kolibri's bulkimportusers also reads.
$script:UsersCsvColumns = 'UUID', 'USERNAME', 'PASSWORD', 'FULL_NAME', 'USER_TYPE', 'IDENTIFIER', 'BIRTH_YEAR', 'GENDER', 'ENROLLED_IN', 'ASSIGNED_TO'

function Read-KolibriUsersCsv {
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param([Parameter(Mandatory)][string] $Path)
    $rows = [ordered]@{}
    foreach ($line in (Get-Content -LiteralPath $Path -Encoding utf8 | Select-Object -Skip 1 | ConvertFrom-Csv -Header $script:UsersCsvColumns)) {
        $rows[$line.USERNAME] = $line
    }
    , $rows
}

function Set-KolibriUsersCsvRow {
    <# Sets columns of the row read for Username (its key stays the username it was read with, also after a rename). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Collections.Specialized.OrderedDictionary] $Rows,
        [Parameter(Mandatory)][string] $Username,
        [Parameter(Mandatory)][hashtable] $Values
    )
    foreach ($k in $Values.Keys) { $Rows[$Username].$k = $Values[$k] }
}

function Add-KolibriUsersCsvRow {
    <# Appends a new user's row: the given columns, USER_TYPE LEARNER unless given, the others empty (no UUID). #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Collections.Specialized.OrderedDictionary] $Rows,
        [Parameter(Mandatory)][hashtable] $Values
    )
    $row = [ordered]@{}
    foreach ($column in $script:UsersCsvColumns) { $row[$column] = '' }
    $row.USER_TYPE = 'LEARNER'
    foreach ($k in $Values.Keys) { $row[$k] = $Values[$k] }
    $Rows[$row.USERNAME] = [pscustomobject] $row
}

function Write-KolibriUsersCsv {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)][System.Collections.Specialized.OrderedDictionary] $Rows,
        [Parameter(Mandatory)][string] $Path
    )
    $Rows.Values | ConvertTo-Csv -UseQuotes AsNeeded | Set-Content -LiteralPath $Path -Encoding utf8BOM
}

# What dump_facility (KolibriOracle.py) says about one user.
function Get-KolibriDumpClass {
    <# Sorted names of the classes the user is enrolled in (-What enrolled) or assigned to as a coach (assigned). #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] $Dump,
        [Parameter(Mandatory)][string] $UserId,
        [Parameter(Mandatory)][ValidateSet('enrolled', 'assigned')][string] $What
    )
    $classes = @{}; foreach ($c in $Dump.collections) { $classes[$c.id] = $c }
    $links = if ($What -eq 'enrolled') { $Dump.memberships } else { @($Dump.roles | Where-Object { $_.kind -eq 'coach' }) }
    @($links | Where-Object { $_.user_id -eq $UserId -and $classes[$_.collection_id].kind -eq 'classroom' } | ForEach-Object { $classes[$_.collection_id].name } | Sort-Object)
}

function Get-KolibriDumpFacilityRole {
    <# The kinds of the user's roles on the facility itself (admin, coach, classroom assignable coach). #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] $Dump,
        [Parameter(Mandatory)][string] $UserId,
        [Parameter(Mandatory)][string] $FacilityId
    )
    @($Dump.roles | Where-Object { $_.user_id -eq $UserId -and $_.collection_id -eq $FacilityId } | ForEach-Object kind)
}

Export-ModuleMember -Function Read-KolibriUsersCsv, Set-KolibriUsersCsvRow, Add-KolibriUsersCsvRow, Write-KolibriUsersCsv,
    Get-KolibriDumpClass, Get-KolibriDumpFacilityRole
