#Requires -Version 7.4
<#
.SYNOPSIS
    Builds and tests KolibriFacility. A thin wrapper over `dotnet build` / `dotnet test` and Pester.
.DESCRIPTION
    -Task Build (default): dotnet build, which lays out the finished module in out/KolibriFacility.
    -Task Test: Build, then every suite, each even when an earlier one failed:
        xunit        the Core and hosted-engine suites (dotnet test);
        Pester       tests/Pester, the admin stories in the pinned pwsh with Pester 5.9.1 restored from NuGet;
        Integration  tests/Integration, real Kolibri 0.17.5 from ../shared/kolibri/reference as the oracle (its kit
                     is set up first; when it cannot be, the suite fails with the reason, it never skips).
      Ends with a table of the suites and one line "N passed, M failed" summing all of them; exits 1 when any test
      failed or any suite could not run.
    -Task Package: Build, then the module's .nupkg in out/package (what Publish-PSResource uploads and
      Install-PSResource installs), packed from out/KolibriFacility by Compress-PSResource.
    -Task Clean: removes out/ and every bin/obj folder.
    Run it with the pinned pwsh: `dotnet tool restore && dotnet pwsh -NoProfile -File ./build.ps1 -Task Test`.
.PARAMETER Suite
    With -Task Test: which suites to run (default: all three).
.EXAMPLE
    dotnet tool restore && dotnet pwsh -NoProfile -File ./build.ps1 -Task Test
.EXAMPLE
    ./build.ps1 -Task Test -Suite Pester
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean', 'Package')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [ValidateSet('xunit', 'Pester', 'Integration')]
    [string[]] $Suite = @('xunit', 'Pester', 'Integration')
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'
$PesterVersion = '5.9.1'   # pinned in tools/TestTools.csproj

function Invoke-Native([string] $Command, [string[]] $Arguments) {
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', 'KolibriFacility.sln', '-c', $Configuration, '-nologo', '-v', 'minimal')
}

function Get-PesterManifest {
    # Pester comes from NuGet (tools/TestTools.csproj), never from a gallery at test time.
    Invoke-Native dotnet @('restore', 'tools/TestTools.csproj', '-nologo', '-v', 'quiet')
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() 'pester' $PesterVersion 'tools' 'Pester.psd1'
    if (-not (Test-Path -LiteralPath $manifest)) { throw "Pester $PesterVersion was restored but $manifest is missing." }
    $manifest
}

function Get-PwshCommand {
    # The pwsh running this script: `dotnet pwsh` (the pinned local tool) runs as dotnet + pwsh.dll.
    $process = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { @($process, (Join-Path $PSHOME 'pwsh.dll')) }
    else { @($process) }
}

function Invoke-XunitSuite {
    $results = Join-Path $PSScriptRoot 'out' 'TestResults' 'xunit'
    Remove-Item -Recurse -Force -LiteralPath $results -ErrorAction SilentlyContinue
    & dotnet test KolibriFacility.sln -c $Configuration --no-build --logger trx --results-directory $results | Out-Host
    $exit = $LASTEXITCODE
    $passed = 0; $failed = 0
    foreach ($trx in Get-ChildItem -LiteralPath $results -Filter *.trx -ErrorAction SilentlyContinue) {
        $counters = ([xml] (Get-Content -LiteralPath $trx.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int] $counters.passed
        $failed += [int] $counters.failed + [int] $counters.error + [int] $counters.timeout + [int] $counters.aborted
    }
    # A run that failed without reporting a failed test (a crashed host, a build problem) still counts as a failure.
    if ($exit -ne 0 -and $failed -eq 0) { $failed = 1 }
    @{ Passed = $passed; Failed = $failed }
}

function ConvertTo-SingleQuoted([string] $Text) {
    # A path with a ' in it (e.g. a clone under "O'Brien's work") stays one literal argument.
    "'" + ($Text -replace "'", "''") + "'"
}

function Invoke-PesterSuite([string] $Folder, [string] $PesterManifest) {
    # In a child pwsh, so the module loaded by the tests does not stay loaded (and locked, on Windows) here.
    $summary = Join-Path $PSScriptRoot 'out' 'TestResults' "pester-$(Split-Path $Folder -Leaf).json"
    New-Item -ItemType Directory -Force -Path (Split-Path $summary) | Out-Null
    Remove-Item -LiteralPath $summary -ErrorAction SilentlyContinue
    $script = @'
param($PesterManifest, $Folder, $Summary)
Import-Module $PesterManifest -Force
$config = New-PesterConfiguration
$config.Run.Path = $Folder
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
@{
    Passed = $result.PassedCount
    Failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
} | ConvertTo-Json | Set-Content -LiteralPath $Summary
'@
    $pwsh = Get-PwshCommand
    $env:KOLIBRIFACILITY_CONFIGURATION = $Configuration
    $arguments = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command',
        "& { $script } -PesterManifest $(ConvertTo-SingleQuoted $PesterManifest) -Folder $(ConvertTo-SingleQuoted $Folder) -Summary $(ConvertTo-SingleQuoted $summary)")
    & $pwsh[0] @arguments | Out-Host
    if (-not (Test-Path -LiteralPath $summary)) { return @{ Passed = 0; Failed = 1 } }
    $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
    @{ Passed = [int] $counts.Passed; Failed = [int] $counts.Failed }
}

function Invoke-Package([string] $ModuleFolder, [string] $Destination) {
    # -Task Package: the module's .nupkg, the file Publish-PSResource uploads and Install-PSResource installs, packed
    # from the built module folder by PSResourceGet's Compress-PSResource (no repository is registered or touched).
    # tests/Pester/Packaging.Tests.ps1 runs this function on its own, then publishes, installs and auto-loads the package.
    Remove-Item -Recurse -Force -LiteralPath $Destination -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Force -Path $Destination | Out-Null
    Compress-PSResource -Path $ModuleFolder -DestinationPath $Destination
    $package = @(Get-ChildItem -LiteralPath $Destination -Filter '*.nupkg')
    if ($package.Count -ne 1) { throw "Compress-PSResource wrote $($package.Count) packages to $Destination, expected 1." }
    $package[0]
}

function Initialize-KolibriKit {
    $setup = Join-Path $PSScriptRoot '..' 'shared' 'kolibri' 'reference' 'setup.sh'
    if (-not (Test-Path -LiteralPath $setup)) { throw "The Kolibri reference kit is missing: $setup (../shared must sit beside the clone)." }
    Write-Host "Setting up the Kolibri 0.17.5 reference kit (bash $setup)"
    $envSh = & bash $setup
    if ($LASTEXITCODE -ne 0) { throw "The Kolibri reference kit could not be set up: bash $setup exited with $LASTEXITCODE (its messages are above)." }
    Write-Host "Kolibri reference kit: $($envSh | Select-Object -Last 1)"
}

switch ($Task) {
    'Clean' {
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue ./out
        Get-ChildItem -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
    }
    'Package' {
        Invoke-Build
        $package = Invoke-Package (Join-Path $PSScriptRoot 'out' 'KolibriFacility') (Join-Path $PSScriptRoot 'out' 'package')
        Write-Host "Package ready: $($package.FullName)"
    }
    'Build' {
        Invoke-Build
        Write-Host "Module ready: $(Join-Path $PSScriptRoot 'out/KolibriFacility/KolibriFacility.psd1')"
    }
    'Test' {
        Invoke-Build
        $pester = if ($Suite -ne 'xunit') { Get-PesterManifest }
        $rows = foreach ($name in $Suite) {
            Write-Host "`n==== $name" -ForegroundColor Cyan
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $counts = try {
                switch ($name) {
                    'xunit' { Invoke-XunitSuite }
                    'Pester' { Invoke-PesterSuite (Join-Path $PSScriptRoot 'tests' 'Pester') $pester }
                    'Integration' {
                        Initialize-KolibriKit
                        Invoke-PesterSuite (Join-Path $PSScriptRoot 'tests' 'Integration') $pester
                    }
                }
            }
            catch {
                Write-Host "$name could not run: $_" -ForegroundColor Red
                @{ Passed = 0; Failed = 1 }
            }
            [pscustomobject]@{ Suite = $name; Passed = $counts.Passed; Failed = $counts.Failed; Seconds = [int] $watch.Elapsed.TotalSeconds }
        }
        Write-Host ''
        $rows | Format-Table -AutoSize | Out-String | Write-Host
        $passed = ($rows | Measure-Object Passed -Sum).Sum
        $failed = ($rows | Measure-Object Failed -Sum).Sum
        "$passed passed, $failed failed"
        if ($failed -gt 0) { exit 1 }
    }
}
