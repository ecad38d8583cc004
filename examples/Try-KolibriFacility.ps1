#Requires -Version 7.4
<#
.SYNOPSIS
    Builds KolibriFacility, imports it and takes a short tour on a sandbox (or your real) Kolibri database.
.DESCRIPTION
    Without -Database, creates ./demo/db.sqlite3 with New-FacilityDatabase (200 sample users, 20,000 usage logs) and works
    there, ending with an import round trip (the exported CSV edited, previewed with -WhatIf, planned and applied), a
    password reset and a class move.
    With -Database, works read-only on that database (for example ~/.kolibri/db.sqlite3): it lists facilities,
    users and classes and exports the users CSV and the usage logs into the output folder. Nothing is changed.
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
$sandbox = -not $Database
if ($sandbox) {
    $Database = Join-Path $OutputFolder 'db.sqlite3'
    New-FacilityDatabase -Path $Database -FacilityName 'Demo School' -SampleUsers 200 -SampleLogs 20000 -Seed 42 -Force | Format-Table
}

Write-Host "`n== Facilities" -ForegroundColor Cyan
Get-Facility -Database $Database | Format-Table

Write-Host "== Coaches" -ForegroundColor Cyan
Get-FacilityUser -Database $Database -UserType CLASS_COACH, FACILITY_COACH | Format-Table

Write-Host "== Classes and their learner counts" -ForegroundColor Cyan
Get-FacilityClass -Database $Database | Format-Table

Write-Host "== Users CSV, exactly as Kolibri's Facility > Data > Export users writes it" -ForegroundColor Cyan
Export-FacilityUsers -Database $Database -Path (Join-Path $OutputFolder 'users.csv') -PassThru | Format-Table Name, Length, LastWriteTime

Write-Host "== Usage logs, exactly as Kolibri's Facility > Data > Generate log writes them" -ForegroundColor Cyan
New-FacilityLog -Database $Database -Type Session -Path (Join-Path $OutputFolder 'logs/') | Format-Table Name, Length, LastWriteTime
New-FacilityLog -Database $Database -Type Summary -Path (Join-Path $OutputFolder 'logs/') | Format-Table Name, Length, LastWriteTime

Write-Host "== What kinds of resources the learners used" -ForegroundColor Cyan
Get-FacilityLog -Database $Database -Type Summary | Group-Object ContentKind -NoElement | Sort-Object Count -Descending | Format-Table

if ($sandbox) {
    # Only on the sandbox: the tour never changes a real database.
    Write-Host "== Import: edit the exported CSV, preview with -WhatIf, then apply" -ForegroundColor Cyan
    $csv = Join-Path $OutputFolder 'users.csv'
    $rows = Import-Csv $csv
    $rows[0].'Full name (FULL_NAME)' = $rows[0].'Full name (FULL_NAME)' + ' Jr'
    $rows | Export-Csv $csv -UseQuotes AsNeeded -Encoding utf8BOM
    Add-Content -Path $csv -Value ',new_learner,kolibri123,New Learner,LEARNER,,2015,,Grade 1 A,'
    Import-FacilityUsers -Database $Database -Path $csv -WhatIf
    $plan = Get-FacilityImportPlan -Database $Database -Path $csv
    $plan.Changes | Format-Table Id, Action, Kind, Target, Description
    $imported = Import-FacilityUsers -Plan $plan -Confirm:$false -PassThru
    $imported | Format-List

    Write-Host "== A forgotten password: reset it (the password is never shown, in no plan and no message)" -ForegroundColor Cyan
    # In a real session: Get-FacilityUser maria | Set-FacilityUser -Password (Read-Host -AsSecureString 'New password')
    $newPassword = ConvertTo-SecureString 'kolibri-2027' -AsPlainText -Force
    Get-FacilityUser -Database $Database new_learner | Set-FacilityUser -Password $newPassword -Verbose

    Write-Host "== A class move: the learners of one class into a new class (one plan and one transaction each step)" -ForegroundColor Cyan
    $from = (Get-FacilityClass -Database $Database | Select-Object -First 1).Name
    $to = "$from (next year)"
    New-FacilityClass -Database $Database $to
    Get-FacilityUser -Database $Database -Class $from -UserType LEARNER | Select-Object -First 3 | Add-FacilityClassMember -Class $to -WhatIf
    Get-FacilityUser -Database $Database -Class $from -UserType LEARNER | Add-FacilityClassMember -Class $to
    Get-FacilityUser -Database $Database -Class $from -UserType LEARNER | Remove-FacilityClassMember -Class $from
    Get-FacilityClass -Database $Database | Format-Table

    Write-Host "== A way back: every import keeps a journal beside its backup; undo the import above" -ForegroundColor Cyan
    # What changed since the import (new_learner, reset and moved to the new class) is reported and left alone, never overwritten.
    Get-FacilityBackup -Database $Database | Format-Table
    $imported | Undo-FacilityImport -WhatIf
    $imported | Undo-FacilityImport -Confirm:$false -PassThru | Format-List
}
