#Requires -Version 7.4
<#
.SYNOPSIS
    The round trip an admin does every term: export the users, edit the CSV in a spreadsheet, review the import,
    and apply exactly what was reviewed.
.DESCRIPTION
    Step 1 (no -Csv): exports the facility's users to users.csv for editing.
    Step 2 (-Csv): plans the import of the edited file, shows the summary, the errors and every deletion, saves
    the plan next to the CSV (plan.xml), and asks whether to apply it. The plan is applied with
    Import-FacilityUsers -Plan, which refuses if the CSV or the facility changed since the review.
    Rows with errors can be written to rejected.csv with -SkipInvalidRows to fix them separately.
.EXAMPLE
    ./examples/Import-UsersFromSpreadsheet.ps1 -Database ~/.kolibri/db.sqlite3
.EXAMPLE
    ./examples/Import-UsersFromSpreadsheet.ps1 -Database ~/.kolibri/db.sqlite3 -Csv ./users.csv -NoDelete
#>
[CmdletBinding()]
param(
    [string] $Database,
    [string] $Facility,
    [string] $Csv,
    [switch] $NoDelete,
    [switch] $SkipInvalidRows
)

$ErrorActionPreference = 'Stop'
$root = Split-Path -Parent $PSScriptRoot
if (-not (Get-Module KolibriFacility)) {
    Import-Module (Join-Path $root 'out/KolibriFacility/KolibriFacility.psd1')
}

$common = @{}
if ($Database) { $common.Database = $Database }
if ($Facility) { $common.Facility = $Facility }

if (-not $Csv) {
    $file = Export-FacilityUsers @common -Path ./users.csv -PassThru
    Write-Host "Exported the users to $($file.FullName). Edit it, then run this script again with -Csv $($file.Name)."
    return
}

$plan = Get-FacilityImportPlan @common -Path $Csv -NoDelete:$NoDelete -SkipInvalidRows:$SkipInvalidRows
Write-Host "`n== What the import would do" -ForegroundColor Cyan
$plan.Summary.ToString()

if ($plan.Errors) {
    Write-Host "`n== Errors (row, column, value, rule)" -ForegroundColor Yellow
    $plan.Errors | Format-Table Row, Column, Value, Message -Wrap
}

$deletions = @($plan.Changes | Where-Object IsDestructive)
if ($deletions) {
    Write-Host "`n== Deletions and removals" -ForegroundColor Yellow
    $deletions | Format-Table Action, Kind, Target, Description -AutoSize
}

if ($plan.IsRefused) {
    Write-Warning $plan.RefusalReason
    return
}

if ($plan.IsEmpty) {
    Write-Host 'Nothing to import: the facility already matches the file.'
    return
}

$saved = Join-Path (Split-Path -Parent (Resolve-Path $Csv)) 'plan.xml'
$plan | Export-Clixml -Path $saved
Write-Host "`nSaved the plan to $saved."

if ((Read-Host 'Apply this plan now? (yes/no)') -ne 'yes') {
    Write-Host "Not applied. Later: Import-FacilityUsers -Plan (Import-Clixml '$saved')"
    return
}

$result = Import-FacilityUsers -Plan $plan -RejectedRowsPath (Join-Path (Split-Path -Parent $saved) 'rejected.csv') -Confirm:$false -PassThru
$result | Format-List
