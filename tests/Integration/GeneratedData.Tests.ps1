#Requires -Version 7.4
# Issue 10.3 c: exactness on data we did not choose. Fresh Kolibri 0.17.5 homes (migrate, provisiondevice) filled
# by Kolibri's own generateuserdata with different seeds and sizes; the module's users CSV and session and summary
# logs (without and with a date range) must equal Kolibri's bulkexportusers / exportlogs of the same home.
#
# generateuserdata adds interaction logs only for the content channels on the device, and the kit has none to import
# offline, so seeds 2 and 3 first get the two channels of the fixture (made by Kolibri) copied in; their logs are
# then made by Kolibri's generator, including quiz logs that both exports leave out. Seed 1 keeps the device
# without channels: its logs are empty and the files are header-only.
#
# Row order: Kolibri's queries for these files have no ORDER BY (FacilityUser.objects.filter(facility=...),
# ContentSessionLog/ContentSummaryLog.objects.exclude(kind=quiz).filter(...)), so rows are compared as multisets;
# the byte order mark, the header line, every byte of every row and the CRLF line ends must match.
BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Import-Module (Join-Path $PSScriptRoot 'KolibriKit.psm1') -Force
    $null = Initialize-KolibriKit -KitFolder $KolibriKit
    $Oracle = Join-Path $PSScriptRoot 'KolibriOracle.py'
}

Describe 'generateuserdata --seed <Seed> (<Classes> classes, <Users> users each, channels: <Channels>)' -ForEach @(
    @{ Seed = 1; Classes = 2; Users = 5; Channels = $false; ContentItems = 0 }
    @{ Seed = 2; Classes = 3; Users = 6; Channels = $true; ContentItems = 6 }
    @{ Seed = 3; Classes = 2; Users = 2; Channels = $true; ContentItems = 0 }   # 0: Kolibri's default, one item per year of the user's age
) {
    BeforeAll {
        $kolibriHome = Join-Path $TestDrive "seed-$Seed"
        $null = New-Item -ItemType Directory -Path $kolibriHome
        Initialize-KolibriHome -KolibriHome $kolibriHome
        $Kolibri = Join-Path $TestDrive "kolibri-$Seed"
        $Ours = Join-Path $TestDrive "ours-$Seed"
        $null = New-Item -ItemType Directory -Path $Kolibri, $Ours

        # The date range: four UTC days inside the generated history (generateuserdata dates logs back from now).
        $today = [DateTime]::UtcNow.Date
        $StartDate = $today.AddDays(-6)
        $EndDate = $today.AddDays(-3)
        # As Kolibri's Data tab sends them: UTC midnights (a naive date would be read in the machine's time zone).
        $utcMidnight = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'"
        $range = @('--start_date', $StartDate.ToString($utcMidnight, [cultureinfo]::InvariantCulture), '--end_date', $EndDate.ToString($utcMidnight, [cultureinfo]::InvariantCulture))

        $generate = @('generateuserdata', '--seed', "$Seed", '--facilities', '1', '--classes', "$Classes", '--users', "$Users", '--verbosity', '0')
        if ($ContentItems) { $generate += '--num-content-items', "$ContentItems" }
        $steps = @(
            @{ step = 'manage'; arguments = @('provisiondevice', '--facility', "Seed $Seed School", '--superusername', 'admin', '--superuserpassword', 'adminpass', '--preset', 'formal', '--language_id', 'en', '--verbosity', '0', '--noinput') }
            if ($Channels) { @{ step = 'copy_content'; source = $FixtureDatabase; tables = @('content_channelmetadata', 'content_contentnode', 'content_assessmentmetadata') } }
            @{ step = 'manage'; arguments = $generate }
            @{ step = 'table_counts' }
            @{ step = 'manage'; arguments = @('bulkexportusers', '--output-file', (Join-Path $Kolibri 'users.csv'), '--overwrite') }
            @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'session', '--output-file', (Join-Path $Kolibri 'session.csv'), '--overwrite') }
            @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'summary', '--output-file', (Join-Path $Kolibri 'summary.csv'), '--overwrite') }
            @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'session', '--output-file', (Join-Path $Kolibri 'session-range.csv'), '--overwrite') + $range }
            @{ step = 'manage'; arguments = @('exportlogs', '--log-type', 'summary', '--output-file', (Join-Path $Kolibri 'summary-range.csv'), '--overwrite') + $range }
        )
        $results = Invoke-KolibriPython -KolibriHome $kolibriHome -Path $Oracle -Arguments @{ steps = $steps }
        $Commands = @($results | Where-Object step -eq 'manage' | ForEach-Object result)
        $Counts = @($results | Where-Object step -eq 'table_counts')[0].result

        Export-FacilityUsers -Database $kolibriHome -Path (Join-Path $Ours 'users.csv')
        New-FacilityLog -Database $kolibriHome -Type Session -Path (Join-Path $Ours 'session.csv')
        New-FacilityLog -Database $kolibriHome -Type Summary -Path (Join-Path $Ours 'summary.csv')
        New-FacilityLog -Database $kolibriHome -Type Session -StartDate $StartDate -EndDate $EndDate -Path (Join-Path $Ours 'session-range.csv')
        New-FacilityLog -Database $kolibriHome -Type Summary -StartDate $StartDate -EndDate $EndDate -Path (Join-Path $Ours 'summary-range.csv')

        function Get-DataLineCount([string] $Path) { @(Get-Content -LiteralPath $Path).Count - 1 }
    }

    It "Kolibri's commands all succeed and generated <Classes> classes of users" {
        foreach ($c in $Commands) { $c.error | Should -BeNullOrEmpty }
        $Counts.kolibriauth_facilityuser | Should -BeGreaterOrEqual ($Classes * $Users)
    }

    It 'the users CSV equals bulkexportusers (rows as sets: no ORDER BY in Kolibri)' {
        Compare-KolibriCsv -Expected (Join-Path $Kolibri 'users.csv') -Actual (Join-Path $Ours 'users.csv') -AnyRowOrder | Should -BeNullOrEmpty
        Get-DataLineCount (Join-Path $Ours 'users.csv') | Should -BeGreaterOrEqual ($Classes * $Users)
    }

    It 'the <_> log equals exportlogs (rows as sets: no ORDER BY in Kolibri)' -ForEach 'session', 'summary' {
        Compare-KolibriCsv -Expected (Join-Path $Kolibri "$_.csv") -Actual (Join-Path $Ours "$_.csv") -AnyRowOrder | Should -BeNullOrEmpty
    }

    It 'the <_> log for four UTC days equals exportlogs --start_date --end_date (rows as sets: no ORDER BY in Kolibri)' -ForEach 'session', 'summary' {
        Compare-KolibriCsv -Expected (Join-Path $Kolibri "$_-range.csv") -Actual (Join-Path $Ours "$_-range.csv") -AnyRowOrder | Should -BeNullOrEmpty
    }

    It 'the logs are what the device allows: empty without channels, and the range a strict part of the whole with them' {
        $session = Get-DataLineCount (Join-Path $Ours 'session.csv')
        $sessionRange = Get-DataLineCount (Join-Path $Ours 'session-range.csv')
        $summaryRange = Get-DataLineCount (Join-Path $Ours 'summary-range.csv')
        if ($Channels) {
            $session | Should -BeGreaterThan 100
            $sessionRange | Should -BeGreaterThan 10
            $sessionRange | Should -BeLessThan $session
            $summaryRange | Should -BeGreaterThan 0
            $Counts.logger_contentsessionlog | Should -BeGreaterThan $session -Because "Kolibri's quiz logs are left out of both exports"
        }
        else {
            $Counts.logger_contentsessionlog | Should -Be 0
            $session | Should -Be 0
        }
    }
}

Describe 'Compare-KolibriCsv, the comparison above, sees every kind of difference' {
    BeforeAll {
        $bom = [byte[]] (0xEF, 0xBB, 0xBF)
        function New-File([string] $Name, [string] $Text) {
            $path = Join-Path $TestDrive $Name
            [System.IO.File]::WriteAllBytes($path, $bom + [System.Text.Encoding]::UTF8.GetBytes($Text))
            $path
        }
        $Kolibri = New-File 'kolibri.csv' "A,B`r`n1,x`r`n2,""y, z""`r`n"
    }

    It 'equal files, and the same rows in another order with -AnyRowOrder, are equal' {
        Compare-KolibriCsv -Expected $Kolibri -Actual (New-File 'same.csv' "A,B`r`n1,x`r`n2,""y, z""`r`n") | Should -BeNullOrEmpty
        Compare-KolibriCsv -Expected $Kolibri -Actual (New-File 'order.csv' "A,B`r`n2,""y, z""`r`n1,x`r`n") -AnyRowOrder | Should -BeNullOrEmpty
    }

    It '<Case> differs' -ForEach @(
        @{ Case = 'another row order without -AnyRowOrder'; Text = "A,B`r`n2,""y, z""`r`n1,x`r`n"; AnyOrder = $false }
        @{ Case = 'a changed byte'; Text = "A,B`r`n1,x`r`n2,""y; z""`r`n"; AnyOrder = $true }
        @{ Case = 'a missing row'; Text = "A,B`r`n1,x`r`n"; AnyOrder = $true }
        @{ Case = 'LF line ends'; Text = "A,B`n1,x`n2,""y, z""`n"; AnyOrder = $true }
        @{ Case = 'another header'; Text = "A,b`r`n1,x`r`n2,""y, z""`r`n"; AnyOrder = $true }
    ) {
        $actual = New-File 'other.csv' $Text
        Compare-KolibriCsv -Expected $Kolibri -Actual $actual -AnyRowOrder:$AnyOrder | Should -Not -BeNullOrEmpty
    }

    It 'a missing byte order mark differs' {
        $actual = Join-Path $TestDrive 'nobom.csv'
        [System.IO.File]::WriteAllText($actual, "A,B`r`n1,x`r`n2,""y, z""`r`n", [System.Text.UTF8Encoding]::new($false))
        Compare-KolibriCsv -Expected $Kolibri -Actual $actual -AnyRowOrder | Should -Not -BeNullOrEmpty
    }
}
