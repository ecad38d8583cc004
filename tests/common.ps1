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
