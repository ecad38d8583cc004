BeforeAll { . (Join-Path $PSScriptRoot '..' 'common.ps1') }

# Issue 13: an admin's way back from an import, against a copy of the real Kolibri 0.17.5 database.
Describe 'Monday morning: Friday''s import left out a class and the admin takes it back' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        $database = Join-Path $kolibriHome 'db.sqlite3'
        $original = Join-Path $TestDrive 'original.csv'
        Export-FacilityUsers -Database $database -Path $original
        $rows = @(Import-Csv -LiteralPath $original)
        $left = @($rows | Where-Object { $_.'Learner enrollment (ENROLLED_IN)' -notmatch 'Class B' })
        $script:LeftOut = @($rows | Where-Object { $_.'Learner enrollment (ENROLLED_IN)' -match 'Class B' }).'Username (USERNAME)'
        $script:LeftOut.Count | Should -BeGreaterThan 1
        $friday = Join-Path $TestDrive 'friday.csv'
        $new = New-UsersCsvRow $left[0] -Username 'friday_new' -Password 'Fr1day-pw' -FullName 'Friday New' -Type 'LEARNER' -Enrolled 'Class A' -Assigned '' -BirthYear '2013' -Gender 'MALE'
        @($left) + $new | Export-Csv -LiteralPath $friday -Encoding utf8BOM -UseQuotes AsNeeded
        $script:Friday = Import-FacilityUsers -Database $database -Path $friday -Force -Confirm:$false -PassThru -ErrorAction Stop
    }

    It 'Get-FacilityBackup shows Friday''s backup with its import' {
        $backups = @(Get-FacilityBackup -Database $database)
        $backups.Count | Should -Be 1
        $backups[0].Kind | Should -Be 'Import'
        $backups[0].JournalPath | Should -Be $script:Friday.JournalPath
        $backups[0].CsvPath | Should -Be $friday
        $table = $backups | Out-String -Width 200
        $table | Should -Match 'Demo Facility'
        $table | Should -Match '\d+ change\(s\) friday\.csv'
    }

    It 'Undo-FacilityImport -Last -WhatIf lists the users it would bring back and writes nothing' {
        $hash = (Get-FileHash -LiteralPath $database).Hash
        # -WhatIf writes to the host: the transcript is what the admin sees.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        $null = Start-Transcript -LiteralPath $transcript
        try { Undo-FacilityImport -Database $database -Last -WhatIf } finally { $null = Stop-Transcript }
        $out = Get-Content -LiteralPath $transcript -Raw
        foreach ($username in $script:LeftOut) { $out | Should -Match "Restore user '$username' with its id" }
        $out | Should -Match "Delete user 'friday_new' \(created by the import\)"
        (Get-FileHash -LiteralPath $database).Hash | Should -Be $hash
    }

    It 'a user changed since by another import is reported and kept; everything else comes back' {
        $monday = Join-Path $TestDrive 'monday.csv'
        Export-FacilityUsers -Database $database -Path $monday
        $rows = @(Import-Csv -LiteralPath $monday)
        ($rows | Where-Object { $_.'Username (USERNAME)' -eq 'friday_new' }).'Full name (FULL_NAME)' = 'Changed On Monday'
        $rows | Export-Csv -LiteralPath $monday -Encoding utf8BOM -UseQuotes AsNeeded
        Import-FacilityUsers -Database $database -Path $monday -Confirm:$false -ErrorAction Stop

        $result = $script:Friday | Undo-FacilityImport -Confirm:$false -PassThru -WarningVariable refusals -WarningAction SilentlyContinue -ErrorAction Stop
        @($refusals).Count | Should -Be 1
        "$($refusals[0])" | Should -Match '^\[UndoChangedSince\].*friday_new.*full_name'
        $result.Refused.Username | Should -Be 'friday_new'
        $users = @(Get-FacilityUser -Database $database).Username
        $users | Should -Contain 'friday_new'
        foreach ($username in $script:LeftOut) { $users | Should -Contain $username }
        (Get-FacilityClass -Database $database -Name 'Class B').LearnerCount | Should -Be $script:LeftOut.Count
    }

    It 'a second undo of the same import is refused with ImportAlreadyUndone' {
        { $script:Friday | Undo-FacilityImport -Confirm:$false -ErrorAction Stop } | Should -Throw -ErrorId 'ImportAlreadyUndone,KolibriFacility.PowerShell.Commands.UndoFacilityImportCommand'
    }

    It 'Restore-FacilityDatabase with Friday''s backup gives back exactly the state before Friday''s import' {
        Get-FacilityBackup -Database $database | Where-Object { $_.JournalPath -eq $script:Friday.JournalPath } |
            Restore-FacilityDatabase -Confirm:$false -ErrorAction Stop
        $after = Join-Path $TestDrive 'after-restore.csv'
        Export-FacilityUsers -Database $database -Path $after
        Get-Content -LiteralPath $after -Raw | Should -Be (Get-Content -LiteralPath $original -Raw)
        @(Get-FacilityBackup -Database $database).Kind | Should -Contain 'Restore'
    }
}
