#Requires -Version 7.4
# New-FacilityLog and Get-FacilityLog: the Data tab's usage logs from PowerShell. Run with ./build.ps1 -Task Test.
# Every test works on a copy of the Kolibri 0.17.5 fixture database (or a sandbox) in TestDrive.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    $script:Fixture = Join-Path $FixtureFolder 'kolibri-small.sqlite3'
    $script:SessionCsv = Join-Path $FixtureFolder 'logs-session.csv'
    $script:SummaryCsv = Join-Path $FixtureFolder 'logs-summary.csv'
    $script:RangeCsv = Join-Path $FixtureFolder 'logs-session-2026-11-10_2026-11-15.csv'
    $script:Today = [datetime]::UtcNow.ToString('yyyy-MM-dd')

    function New-KolibriCopy {
        $kolibriHome = Join-Path $TestDrive ([guid]::NewGuid().ToString('N').Substring(0, 8))
        New-Item -ItemType Directory -Path $kolibriHome | Out-Null
        Copy-Item $script:Fixture (Join-Path $kolibriHome 'db.sqlite3')
        $kolibriHome
    }

    function Get-Hash([string] $Path) { (Get-FileHash -Algorithm SHA256 -LiteralPath $Path).Hash }
}

Describe 'New-FacilityLog writes the files Kolibri writes' {
    BeforeEach {
        $kolibriHome = New-KolibriCopy
        $saved = $env:KOLIBRI_HOME
        $env:KOLIBRI_HOME = $kolibriHome
        Push-Location $kolibriHome
    }
    AfterEach {
        Pop-Location
        $env:KOLIBRI_HOME = $saved
    }

    It 'writes the session log with Kolibri''s file name in the current folder' {
        $file = New-FacilityLog -Type Session

        $file | Should -BeOfType System.IO.FileInfo
        $file.Name | Should -Be "Demo Facility_9c9a_content_session_logs_from_2026-10-30_to_$($script:Today).csv"
        $file.DirectoryName | Should -Be (Get-Location).ProviderPath
        Get-Hash $file.FullName | Should -Be (Get-Hash $script:SessionCsv)
    }

    It 'writes a dated summary log into a reports folder' {
        $file = New-FacilityLog -Type Summary -StartDate 2026-01-01 -EndDate 2026-12-31 -Path ./reports/

        $file.Name | Should -Be 'Demo Facility_9c9a_content_summary_logs_from_2026-01-01_to_2026-12-31.csv'
        Split-Path $file.DirectoryName -Leaf | Should -Be 'reports'
        Get-Hash $file.FullName | Should -Be (Get-Hash $script:SummaryCsv)
    }

    It 'treats Detail as Session and applies Kolibri''s date range (end day included)' {
        $file = New-FacilityLog -Type Detail -Facility 'Demo Facility' -StartDate 2026-11-10 -EndDate 2026-11-15 -Path ./detail.csv

        Get-Hash $file.FullName | Should -Be (Get-Hash $script:RangeCsv)
    }

    It 'refuses to overwrite with -NoClobber and replaces a read-only file only with -Force' {
        Set-Content -Path ./logs.csv -Value 'keep me'
        { New-FacilityLog -Path ./logs.csv -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,KolibriFacility.PowerShell.Commands.NewFacilityLogCommand'
        Get-Content ./logs.csv | Should -Be 'keep me'

        Set-ItemProperty -Path ./logs.csv -Name IsReadOnly -Value $true
        { New-FacilityLog -Path ./logs.csv -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileWriteFailed,KolibriFacility.PowerShell.Commands.NewFacilityLogCommand'
        New-FacilityLog -Path ./logs.csv -Force | Should -Not -BeNullOrEmpty
        Get-Hash ./logs.csv | Should -Be (Get-Hash $script:SessionCsv)
    }

    It 'writes nothing with -WhatIf' {
        New-FacilityLog -Path ./whatif.csv -WhatIf | Should -BeNullOrEmpty
        Test-Path ./whatif.csv | Should -BeFalse
    }

    It 'can write without a BOM' {
        $file = New-FacilityLog -Path ./nobom.csv -Encoding utf8NoBOM
        $bytes = [IO.File]::ReadAllBytes($file.FullName)
        $bytes[0] | Should -Be ([byte][char]'F')
        $bytes.Length | Should -Be ((Get-Item $script:SessionCsv).Length - 3)
    }
}

Describe 'Choosing whose logs' {
    BeforeAll {
        $kolibriHome = New-KolibriCopy
        $db = Join-Path $kolibriHome 'db.sqlite3'
    }

    It 'takes learners piped from Get-FacilityUser into one file' {
        $file = Get-FacilityUser -Database $db -Username learner06, learner11 |
            New-FacilityLog -Database $db -Path (Join-Path $TestDrive 'two.csv')

        $rows = Import-Csv $file.FullName
        $rows | Should -Not -BeNullOrEmpty
        $rows.Username | Sort-Object -Unique | Should -Be @('learner06', 'learner11')
    }

    It 'filters by class' {
        $class = (Get-FacilityClass -Database $db | Select-Object -First 1).Name
        $members = (Get-FacilityUser -Database $db -Class $class).Username
        $logs = Get-FacilityLog -Database $db -Class $class
        $logs | Should -Not -BeNullOrEmpty
        $logs.Username | Sort-Object -Unique | ForEach-Object { $_ | Should -BeIn $members }
    }
}

Describe 'Get-FacilityLog for analysis' {
    BeforeAll {
        $db = Join-Path (New-KolibriCopy) 'db.sqlite3'
    }

    It 'returns typed summary logs that group and measure' {
        $logs = Get-FacilityLog -Database $db -Type Summary
        $logs | Should -HaveCount 744
        $logs[0] | Should -BeOfType KolibriFacility.Core.Logs.SummaryLog
        $logs[0].StartTime | Should -BeOfType System.DateTimeOffset
        $logs[0].TimeSpent | Should -BeOfType System.TimeSpan
        ($logs | Group-Object ContentKind).Name | Should -Not -Contain 'quiz'
        ($logs | Measure-Object TimeSpentSeconds -Sum).Sum | Should -BeGreaterThan 0
        ($logs | Where-Object CompletionTime).Count | Should -BeGreaterThan 0
    }

    It 'shows a table by default' {
        $table = Get-FacilityLog -Database $db | Select-Object -First 3 | Out-String
        $table | Should -Match 'Username'
        $table | Should -Match 'ContentTitle'
    }
}

Describe 'Sandbox logs' {
    It 'creates sample logs to export' {
        $db = Join-Path $TestDrive 'sandbox/db.sqlite3'
        New-FacilityDatabase -Path $db -SampleUsers 100 -SampleLogs 5000 -Seed 3 | Out-Null

        (Get-FacilityLog -Database $db | Measure-Object).Count | Should -Be 5000
        $file = New-FacilityLog -Database $db -Type Summary -Path (Join-Path $TestDrive 'out/')
        $file.Name | Should -Match '^Sandbox School_[0-9a-f]{4}_content_summary_logs_from_\d{4}-\d\d-\d\d_to_\d{4}-\d\d-\d\d\.csv$'
        (Import-Csv $file.FullName | Select-Object -First 1).'Content title' | Should -Not -BeNullOrEmpty
    }
}
