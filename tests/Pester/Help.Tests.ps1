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

Describe 'Get-Help -Online' {
    It 'opens the cmdlet page in docs/help (Linux: through xdg-open, replaced here by a stand-in that records its argument)' -Skip:(-not $IsLinux) {
        $bin = Join-Path $TestDrive 'bin'
        $opened = Join-Path $TestDrive 'opened.txt'
        New-Item -ItemType Directory -Path $bin | Out-Null
        Set-Content -LiteralPath (Join-Path $bin 'xdg-open') -Value "#!/bin/sh`necho `"`$1`" > '$opened'"
        & chmod +x (Join-Path $bin 'xdg-open')
        $savedPath = $env:PATH
        try {
            $env:PATH = $bin + [IO.Path]::PathSeparator + $savedPath
            Get-Help Get-FacilityClass -Online
        }
        finally {
            $env:PATH = $savedPath
        }

        # The browser is started, not awaited: wait for the stand-in to have written (a generous bound, not a timing).
        $deadline = [DateTime]::UtcNow.AddSeconds(60)
        while (-not (Test-Path -LiteralPath $opened) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
        (Get-Content -LiteralPath $opened -Raw).Trim() | Should -Be 'https://github.com/kolibrifacility/KolibriFacility/blob/main/docs/help/Get-FacilityClass.md'
    }
}
