#Requires -Version 7.4
<#
.SYNOPSIS
    Builds and tests KolibriFacility. A thin wrapper over `dotnet build` / `dotnet test` for people who have pwsh.
.DESCRIPTION
    -Task Build (default): dotnet build, which lays out the finished module in out/KolibriFacility.
    -Task Test: Build, then the xunit suites (dotnet test), then the Pester tests in tests/Pester (Pester 5 is
    installed for the current user if missing).
    -Task Clean: removes out/ and every bin/obj folder.
.EXAMPLE
    ./build.ps1
    Import-Module ./out/KolibriFacility/KolibriFacility.psd1
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-Location -LiteralPath $PSScriptRoot

function Invoke-Native([string] $Command, [string[]] $Arguments) {
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$Command $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

switch ($Task) {
    'Clean' {
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue ./out
        Get-ChildItem -Recurse -Directory -Include bin, obj | Remove-Item -Recurse -Force
    }
    'Build' {
        Invoke-Native dotnet @('build', 'KolibriFacility.sln', '-c', $Configuration)
        Write-Host "Module ready: $(Join-Path $PSScriptRoot 'out/KolibriFacility/KolibriFacility.psd1')"
    }
    'Test' {
        Invoke-Native dotnet @('build', 'KolibriFacility.sln', '-c', $Configuration)
        Invoke-Native dotnet @('test', 'KolibriFacility.sln', '-c', $Configuration, '--no-build')
        if (-not (Get-Module -ListAvailable Pester | Where-Object Version -ge '5.5.0')) {
            Install-Module Pester -MinimumVersion 5.5.0 -Scope CurrentUser -Force -SkipPublisherCheck
        }
        Import-Module Pester -MinimumVersion 5.5.0
        # Pester runs in a child pwsh so the module's DLLs are not locked in this session.
        Invoke-Native (Get-Process -Id $PID).Path @('-NoProfile', '-Command',
            "Import-Module Pester -MinimumVersion 5.5.0; `$r = Invoke-Pester -Path '$PSScriptRoot/tests/Pester' -CI -PassThru; exit `$r.FailedCount")
    }
}
