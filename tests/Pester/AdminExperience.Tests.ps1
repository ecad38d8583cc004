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

    It 'shows a user''s type by name, * for a superuser, and classes joined by commas, without adding columns to the object' {
        $users = @(Get-FacilityUser -Database $script:db | Where-Object { $_.IsSuperuser -or $_.EnrolledIn.Count -gt 1 -or $_.AssignedTo.Count -gt 0 })
        $users.Count | Should -BeGreaterThan 1
        $lines = Get-RenderedLines $users
        for ($i = 0; $i -lt $users.Count; $i++) {
            $u = $users[$i]
            $type = if ($u.IsSuperuser) { "$($u.UserType)*" } else { "$($u.UserType)" }
            # Columns are cut to their width with an ellipsis: compare the start of each cell.
            $lines[$i + 2] | Should -Match ('^' + [regex]::Escape($u.Username.Substring(0, [Math]::Min(13, $u.Username.Length))) + '.*\s' + [regex]::Escape($type) + '\s')
            if ($u.EnrolledIn.Count -gt 1) {
                $joined = $u.EnrolledIn -join ', '
                $lines[$i + 2] | Should -Match ([regex]::Escape($joined.Substring(0, [Math]::Min(8, $joined.Length))))
            }
        }
        # The view's columns are hidden code properties: not in Select-Object *, Export-Csv or Get-Member.
        $names = @($users[0] | Select-Object * | ForEach-Object { $_.PSObject.Properties.Name })
        $names | Should -Not -Contain 'UserTypeLabel'
        ($users[0] | ConvertTo-Csv)[0] | Should -Not -Match 'Label'
        ($users[0] | Get-Member).Name | Should -Not -Contain 'EnrolledInLabel'
        $users[0].UserTypeLabel | Should -BeLike "$($users[0].UserType)*"
    }

    It 'shows the summary log''s last and completion times (nullable dates are unwrapped by PowerShell)' {
        $logs = @(Get-FacilityLog -Database $script:db -Type Summary | Where-Object { $null -ne $_.CompletionTime })
        $logs.Count | Should -BeGreaterThan 0
        $row = (Get-RenderedLines $logs[0])[2]
        $row | Should -Match ([regex]::Escape($logs[0].EndTime.ToUniversalTime().ToString('yyyy-MM-dd HH:mm')))
        $row | Should -Match ([regex]::Escape($logs[0].CompletionTime.ToUniversalTime().ToString('yyyy-MM-dd')) + '\s*$')
    }
}

Describe 'One name per idea, and the names admins type' {
    It '<Alias> is an alias of <Command>' -ForEach @(
        @{ Alias = 'Export-FacilityUser'; Command = 'Export-FacilityUsers' }
        @{ Alias = 'Import-FacilityUser'; Command = 'Import-FacilityUsers' }
    ) {
        $found = Get-Command $Alias -Module KolibriFacility
        $found.CommandType | Should -Be 'Alias'
        $found.ResolvedCommand.Name | Should -Be $Command
    }

    It 'filters users with -Username everywhere (-User stays an alias on the log cmdlets)' {
        foreach ($command in 'Get-FacilityUser', 'Get-FacilityLog', 'New-FacilityLog') {
            (Get-Command $command).Parameters.Keys | Should -Contain 'Username'
            (Get-Command $command).Parameters.Keys | Should -Not -Contain 'User'
        }
        (Get-Command Get-FacilityLog).Parameters['Username'].Aliases | Should -Contain 'User'
        $db = New-KolibriCopy
        @(Get-FacilityLog -Database $db -User learner06).Count | Should -Be @(Get-FacilityLog -Database $db -Username learner06).Count
    }

    It 'waits with -TimeoutSec like Invoke-PortalSync (-BusyTimeoutSeconds stays an alias)' {
        (Get-Command Import-FacilityUsers).Parameters.Keys | Should -Contain 'TimeoutSec'
        (Get-Command Import-FacilityUsers).Parameters['TimeoutSec'].Aliases | Should -Contain 'BusyTimeoutSeconds'
        (Get-Command Invoke-PortalSync).Parameters.Keys | Should -Contain 'TimeoutSec'
    }
}

Describe 'Written files come back as the provider''s items' {
    BeforeAll { $script:db = New-KolibriCopy }

    It 'Export-FacilityUsers -PassThru returns what Get-Item returns, and Remove-Item finds a name with brackets' {
        $folder = Join-Path $TestDrive 'items'
        New-Item -ItemType Directory -Path $folder | Out-Null
        Push-Location $folder
        try {
            $item = Export-FacilityUsers -Database $script:db -LiteralPath './y[1].csv' -PassThru
            $item.PSPath | Should -Be (Get-Item -LiteralPath './y[1].csv').PSPath
            $item.PSParentPath | Should -Not -BeNullOrEmpty
            ($item | Out-String) | Should -Match 'Directory:'
            $item | Remove-Item
            Test-Path -LiteralPath './y[1].csv' | Should -BeFalse
        }
        finally { Pop-Location }
    }

    It 'New-FacilityLog returns the provider''s item' {
        $item = New-FacilityLog -Database $script:db -Path (Join-Path $TestDrive 'log.csv')
        $item.PSProvider.Name | Should -Be 'FileSystem'
        $item.Length | Should -BeGreaterThan 0
    }
}

Describe 'An interactive import says what it did' {
    It 'shows what was applied and where the backup is, without -PassThru' {
        $db = New-KolibriCopy
        $csv = Join-Path $TestDrive 'one-more.csv'
        Set-Content -LiteralPath $csv -Value "USERNAME,PASSWORD,FULL_NAME,USER_TYPE`r`nnewbie,pass123,New Learner,LEARNER" -NoNewline
        $output = Import-FacilityUsers -Database $db -Path $csv -NoDelete -Confirm:$false -InformationVariable shown -ProgressAction SilentlyContinue
        $output | Should -BeNullOrEmpty
        $text = ($shown | ForEach-Object { "$($_.MessageData)" }) -join "`n"
        $text | Should -Match "Imported '.*one-more\.csv' into facility 'Demo Facility'"
        $text | Should -Match '1 changes applied|changes applied'
        $text | Should -Match 'Backup of the database before the import: .*backups'
        $backup = ($text -split "`n" | Where-Object { $_ -match '^Backup of the database' }) -replace '^Backup of the database before the import: ', ''
        Test-Path -LiteralPath $backup.Trim() | Should -BeTrue
    }

    It 'names the facility and the work in its progress activity' {
        $db = New-KolibriCopy
        $csv = Join-Path $TestDrive 'progress.csv'
        Set-Content -LiteralPath $csv -Value "USERNAME,PASSWORD,FULL_NAME,USER_TYPE`r`nnewbie2,pass123,New Learner,LEARNER" -NoNewline
        $records = [System.Collections.Generic.List[object]]::new()
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddCommand('Import-Module').AddArgument((Get-Module KolibriFacility).Path).AddStatement()
            $null = $ps.AddCommand('Import-FacilityUsers').AddParameter('Database', $db).AddParameter('Path', $csv).AddParameter('NoDelete').AddParameter('Confirm', $false)
            $null = $ps.Invoke()
            $activities = $ps.Streams.Progress | ForEach-Object Activity | Select-Object -Unique
        }
        finally { $ps.Dispose() }
        $activities | Should -Contain "Importing progress.csv into facility 'Demo Facility'"
    }
}
