#Requires -Version 7.4
<#
.SYNOPSIS
    Builds KolibriFacility, imports it and takes a short tour on a sandbox (or your real) Kolibri database.
.DESCRIPTION
    Without -Database, creates ./demo/db.sqlite3 with New-FacilityDatabase (200 sample users) and works there.
    With -Database, works read-only on that database (for example ~/.kolibri/db.sqlite3): it lists facilities,
    users and classes and exports the users CSV next to this script's output folder. Nothing is changed.
.EXAMPLE
    pwsh -NoProfile -File ./examples/Try-KolibriFacility.ps1
.EXAMPLE
    pwsh -NoProfile -File ./examples/Try-KolibriFacility.ps1 -Database ~/.kolibri/db.sqlite3
#>
[CmdletBinding()]
param(
    [string] $Database,
    [string] $OutputFolder = (Join-Path (Get-Location) 'demo')
)

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
& (Join-Path $root 'build.ps1') -Task Build
Import-Module (Join-Path $root 'out/KolibriFacility/KolibriFacility.psd1') -Force

New-Item -ItemType Directory -Force -Path $OutputFolder | Out-Null
if (-not $Database) {
    $Database = Join-Path $OutputFolder 'db.sqlite3'
    New-FacilityDatabase -Path $Database -FacilityName 'Demo School' -SampleUsers 200 -Seed 42 -Force | Format-Table
}

Write-Host "`n== Facilities" -ForegroundColor Cyan
Get-Facility -Database $Database | Format-Table

Write-Host "== Coaches" -ForegroundColor Cyan
Get-FacilityUser -Database $Database -UserType CLASS_COACH, FACILITY_COACH | Format-Table

Write-Host "== Classes and their learner counts" -ForegroundColor Cyan
Get-FacilityClass -Database $Database | Format-Table

Write-Host "== Users CSV, exactly as Kolibri's Facility > Data > Export users writes it" -ForegroundColor Cyan
Export-FacilityUsers -Database $Database -Path (Join-Path $OutputFolder 'users.csv') -PassThru | Format-Table Name, Length, LastWriteTime
