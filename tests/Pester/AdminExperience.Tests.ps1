#Requires -Version 7.4
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# What an administrator sees at the console: default views that fit an 80-column terminal, dates that show, one
# parameter name per idea, singular aliases, the provider's file items. Works on a copy of the Kolibri 0.17.5 fixture.

BeforeAll {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    Import-Module (Join-Path $repo 'out/KolibriFacility/KolibriFacility.psd1') -Force
    $script:Fixture = Join-Path $repo '../shared/kolibri/fixtures/kolibri-0.17.5/kolibri-small.sqlite3'

    function New-KolibriCopy {
        $kolibriHome = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $kolibriHome | Out-Null
        Copy-Item $script:Fixture (Join-Path $kolibriHome 'db.sqlite3')
        Join-Path $kolibriHome 'db.sqlite3'
    }

    # An 80-column terminal leaves 79 usable columns; a table that fits writes no line longer than that.
    function Get-RenderedLines($InputObject) {
        ($InputObject | Format-Table | Out-String -Width 79) -split "`r?`n" | Where-Object { $_ -ne '' }
    }
}

Describe 'Default views in an 80-column terminal' {
    BeforeAll { $script:db = New-KolibriCopy }

    It 'shows <Name> without wrapping' -ForEach @(
        @{ Name = 'Get-Facility'; Command = { Get-Facility -Database $script:db } }
        @{ Name = 'Get-FacilityUser'; Command = { Get-FacilityUser -Database $script:db } }
        @{ Name = 'Get-FacilityClass'; Command = { Get-FacilityClass -Database $script:db } }
        @{ Name = 'Get-FacilityLog -Type Session'; Command = { Get-FacilityLog -Database $script:db -Type Session } }
        @{ Name = 'Get-FacilityLog -Type Summary'; Command = { Get-FacilityLog -Database $script:db -Type Summary } }
    ) {
        $objects = @(& $Command)
        $objects.Count | Should -BeGreaterThan 0
        $lines = Get-RenderedLines $objects
        $lines | Where-Object Length -gt 78 | Should -BeNullOrEmpty
        # One header line, one dash line, one line per object: nothing wrapped onto a second line.
        $lines.Count | Should -Be ($objects.Count + 2)
        $lines[1] | Should -Match '^[- ]+$'
    }

    It 'shows the summary log''s last and completion times (nullable dates are unwrapped by PowerShell)' {
        $logs = @(Get-FacilityLog -Database $script:db -Type Summary | Where-Object { $null -ne $_.CompletionTime })
        $logs.Count | Should -BeGreaterThan 0
        $row = (Get-RenderedLines $logs[0])[2]
        $row | Should -Match ([regex]::Escape($logs[0].EndTime.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')))
        $row | Should -Match ([regex]::Escape($logs[0].CompletionTime.ToUniversalTime().ToString('yyyy-MM-dd')) + '\s*$')
    }
}
