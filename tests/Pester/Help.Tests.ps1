#Requires -Version 7.4
# Help as an admin reads it in a real console: Get-Help's rendered text, which the hosted-engine tests cannot see.
# Run with ./build.ps1 -Task Test.

BeforeDiscovery {
    $Cmdlets = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '..' '..' 'module' 'KolibriFacility.psd1')).CmdletsToExport
}

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
}

Describe 'Get-Help <_>' -ForEach $Cmdlets {
    It 'shows each example apart: a blank line before every example title' {
        $lines = (Get-Help $_ -Examples | Out-String -Width 200) -split '\r?\n'
        $titles = @(for ($i = 0; $i -lt $lines.Count; $i++) { if ($lines[$i] -match '^\s*-{5,} .+ -{5,}\s*$') { $i } })
        $titles.Count | Should -Be @((Get-Help $_ -Examples).examples.example).Count
        foreach ($i in $titles) { $lines[$i - 1].Trim() | Should -BeNullOrEmpty -Because "line $i ($($lines[$i].Trim())) must not run into the text before it" }
    }

    It 'shows aliases and the online address in -Full' {
        $text = Get-Help $_ -Full | Out-String -Width 200
        $text | Should -Match 'Aliases\s+\S'
        $text | Should -BeLike "*Online Version: https://github.com/kolibrifacility/KolibriFacility/blob/main/docs/help/$_.md*"
    }
}
