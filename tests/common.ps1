# One setup for every Pester file (tests/Pester, tests/Integration): dot-source it in BeforeAll.
#     BeforeAll { . (Join-Path $PSScriptRoot '..' 'common.ps1') }
# It imports the built module folder exactly as an admin does (out/KolibriFacility/KolibriFacility.psd1) and
# names the places tests need. The build configuration whose test programs (stand-ins) are used comes from
# $env:KOLIBRIFACILITY_CONFIGURATION (build.ps1 sets it), Release by default.

$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
$Configuration = if ($env:KOLIBRIFACILITY_CONFIGURATION) { $env:KOLIBRIFACILITY_CONFIGURATION } else { 'Release' }
$ModuleManifest = Join-Path $RepoRoot 'out' 'KolibriFacility' 'KolibriFacility.psd1'
$FixtureFolder = Join-Path $RepoRoot '..' 'shared' 'kolibri' 'fixtures' 'kolibri-0.17.5'
$FixtureDatabase = Join-Path $FixtureFolder 'kolibri-small.sqlite3'
$FixtureFacilityId = '9c9a861ccfe31c98f97cb3d38f9dc039'
$KolibriKit = Join-Path $RepoRoot '..' 'shared' 'kolibri' 'reference'

if (-not (Test-Path -LiteralPath $ModuleManifest)) { throw "Build the module first (dotnet build): $ModuleManifest is missing." }
if (-not (Test-Path -LiteralPath $FixtureDatabase)) { throw "The Kolibri fixtures must sit beside the clone: $FixtureDatabase is missing." }
Import-Module $ModuleManifest -Force -ErrorAction Stop

function Get-TestProgram([string] $Name) {
    # A test program of ours (tests/<Name>), built by dotnet build in the same configuration as the module.
    $folder = Join-Path $RepoRoot 'tests' $Name 'bin' $Configuration 'net10.0'
    $path = Join-Path $folder ($IsWindows ? "$Name.exe" : $Name)
    if (-not (Test-Path -LiteralPath $path)) { throw "Build the test programs first (dotnet build -c $Configuration): $path is missing." }
    $path
}

function New-TestKolibriHome([string] $Database = $FixtureDatabase) {
    # A KOLIBRI_HOME in TestDrive with a writable copy of a database (the fixtures are read-only).
    $kolibriHome = Join-Path $TestDrive ('home-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
    New-Item -ItemType Directory -Path $kolibriHome | Out-Null
    $target = Join-Path $kolibriHome 'db.sqlite3'
    Copy-Item -LiteralPath $Database -Destination $target
    (Get-Item -LiteralPath $target).IsReadOnly = $false
    $kolibriHome
}

function New-UsersCsvRow($Template, [string] $Username, [string] $Password, [string] $FullName, [string] $Type,
    [string] $Enrolled = '', [string] $Assigned = '', [string] $BirthYear = '', [string] $Gender = '') {
    # A new user's row for a users CSV read with Import-Csv from Export-FacilityUsers: a copy of $Template (so every
    # column is there) with no database id, which makes the import create the user.
    $row = $Template.psobject.Copy()
    $row.'Database ID (UUID)' = ''
    $row.'Username (USERNAME)' = $Username
    $row.'Password (PASSWORD)' = $Password
    $row.'Full name (FULL_NAME)' = $FullName
    $row.'User type (USER_TYPE)' = $Type
    $row.'Identifier (IDENTIFIER)' = ''
    $row.'Birth year (BIRTH_YEAR)' = $BirthYear
    $row.'Gender (GENDER)' = $Gender
    $row.'Learner enrollment (ENROLLED_IN)' = $Enrolled
    $row.'Coach assignment (ASSIGNED_TO)' = $Assigned
    $row
}

# A private PostgreSQL cluster for the PostgreSQL tests, the same as tests/Shared/PostgresServer.cs makes for xunit:
# initdb in a temporary folder (as user postgres when running as root: initdb refuses root), the server on a free
# 127.0.0.1 port with its socket in that folder, the fixture kolibri-small.pgdump restored once into a template, and a
# database per test copied from it. Start it in BeforeAll and stop it in AfterAll (AfterAll runs after failures too).
# When PostgreSQL cannot be started Start-TestPostgres throws with the reason: the tests fail, they never skip.
$PostgresFixtureFolder = Join-Path $RepoRoot '..' 'shared' 'kolibri' 'fixtures' 'kolibri-0.17.5-postgres'

function Invoke-PostgresProgram($Server, [string] $Program, [string[]] $Arguments, [switch] $AsServer) {
    $path = Join-Path $Server.Bin $Program
    $env:PGPASSWORD = $Server.Password
    try {
        $output = if ($AsServer -and $Server.IsRoot) { & runuser -u postgres -- $path @Arguments 2>&1 } else { & $path @Arguments 2>&1 }
        if ($LASTEXITCODE -ne 0) { throw "$Program failed (exit $LASTEXITCODE): $($output -join ' ')" }
        $output
    }
    finally { Remove-Item Env:PGPASSWORD -ErrorAction SilentlyContinue }
}

function Start-TestPostgres {
    $bin = Get-ChildItem -Directory /usr/lib/postgresql -ErrorAction SilentlyContinue |
        Where-Object { ($_.Name -as [int]) -ge 15 -and (Test-Path (Join-Path $_.FullName 'bin' 'initdb')) } |
        Sort-Object { [int] $_.Name } -Descending | Select-Object -First 1
    if ($env:KF_PG_BIN) { $bin = Get-Item -LiteralPath (Split-Path $env:KF_PG_BIN) }
    if (-not $bin) { throw "The PostgreSQL tests need PostgreSQL 15 or later (initdb, pg_ctl, pg_restore, psql in /usr/lib/postgresql/<version>/bin): install Debian's postgresql package (.ci/run does)." }
    $folder = Join-Path ([IO.Path]::GetTempPath()) ('kf-pg-' + [guid]::NewGuid().ToString('N').Substring(0, 10))
    New-Item -ItemType Directory -Path $folder | Out-Null
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $listener.Start()
    $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $server = [pscustomobject]@{
        Bin = Join-Path $bin.FullName 'bin'; Folder = $folder; Port = $port; Host = '127.0.0.1'
        User = 'kolibri'; Password = 'kolibripw'; IsRoot = ((id -u) -eq '0'); Template = 'kolibri_template'
    }
    try {
        $pw = Join-Path $folder 'pw'
        Set-Content -LiteralPath $pw -Value $server.Password -NoNewline
        if ($server.IsRoot) { & chown -R postgres:postgres $folder }
        Invoke-PostgresProgram $server initdb @('-D', (Join-Path $folder 'data'), '-U', 'kolibri', "--pwfile=$pw", '--auth-local=scram-sha-256',
            '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8') -AsServer | Out-Null
        Remove-Item -LiteralPath $pw -Force
        Invoke-PostgresProgram $server pg_ctl @('-D', (Join-Path $folder 'data'), '-l', (Join-Path $folder 'server.log'), '-w', '-t', '60',
            '-o', "-p $port -k $folder -c listen_addresses=127.0.0.1 -c fsync=off", 'start') -AsServer | Out-Null
        Invoke-TestPostgresSql $server postgres "CREATE DATABASE $($server.Template)" | Out-Null
        Invoke-PostgresProgram $server pg_restore @('--no-owner', '--exit-on-error', '-h', '127.0.0.1', '-p', $port, '-U', 'kolibri',
            '-d', $server.Template, (Join-Path $PostgresFixtureFolder 'kolibri-small.pgdump')) | Out-Null
    }
    catch {
        Stop-TestPostgres $server
        throw
    }
    $server
}

function Stop-TestPostgres($Server) {
    if (-not $Server) { return }
    if (Test-Path (Join-Path $Server.Folder 'data' 'postmaster.pid')) {
        try { Invoke-PostgresProgram $Server pg_ctl @('-D', (Join-Path $Server.Folder 'data'), '-m', 'immediate', '-w', 'stop') -AsServer | Out-Null } catch { Write-Warning $_ }
    }
    Remove-Item -Recurse -Force -LiteralPath $Server.Folder -ErrorAction SilentlyContinue
}

function Invoke-TestPostgresSql($Server, [string] $Database, [string] $Sql) {
    Invoke-PostgresProgram $Server psql @('-X', '-v', 'ON_ERROR_STOP=1', '-At', '-h', '127.0.0.1', '-p', $Server.Port, '-U', 'kolibri', '-d', $Database, '-c', $Sql)
}

function New-TestPostgresHome($Server, [switch] $Empty) {
    # A fresh copy of the fixture database (-Empty: an empty database, for Kolibri's own migrate) and a KOLIBRI_HOME in
    # TestDrive whose options.ini points at it, as Kolibri's own.
    $name = 'kf_pester_' + [guid]::NewGuid().ToString('N').Substring(0, 12)
    Invoke-TestPostgresSql $Server postgres "CREATE DATABASE $name$(if (-not $Empty) { " TEMPLATE $($Server.Template)" })" | Out-Null
    $kolibriHome = Join-Path $TestDrive "pg-$name"
    New-Item -ItemType Directory -Path $kolibriHome | Out-Null
    @(
        '[Database]', 'DATABASE_ENGINE = postgres', "DATABASE_NAME = $name", "DATABASE_USER = $($Server.User)",
        "DATABASE_PASSWORD = $($Server.Password)", "DATABASE_HOST = $($Server.Host)", "DATABASE_PORT = $($Server.Port)"
    ) | Set-Content -LiteralPath (Join-Path $kolibriHome 'options.ini')
    [pscustomobject]@{ Name = $name; Home = $kolibriHome
        ConnectionString = "Host=$($Server.Host);Port=$($Server.Port);Database=$name;Username=$($Server.User)" }
}
