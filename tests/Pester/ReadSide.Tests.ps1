#Requires -Version 7.4
# The read side as an admin uses it: facilities, classes, users and Kolibri's users CSV, on a copy of a real
# Kolibri 0.17.5 database. Run with ./build.ps1 -Task Test (needs pwsh 7.4+; the xunit suites cover the same
# ground in a hosted engine where pwsh is not available).

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
}

Describe 'Finding the database and the facility' {
    BeforeEach {
        $kolibriHome = Join-Path $TestDrive ([guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $kolibriHome | Out-Null
        Copy-Item (Join-Path $FixtureFolder 'kolibri-small.sqlite3') (Join-Path $kolibriHome 'db.sqlite3')
        $db = Join-Path $kolibriHome 'db.sqlite3'
        $savedHome = $env:KOLIBRI_HOME
    }
    AfterEach {
        $env:KOLIBRI_HOME = $savedHome
    }

    It 'lists the facilities of the Kolibri in KOLIBRI_HOME with counts' {
        $env:KOLIBRI_HOME = $kolibriHome
        $facility = Get-Facility
        $facility | Should -HaveCount 1
        $facility.Name | Should -Be 'Demo Facility'
        $facility.UserCount | Should -Be 51
        $facility.ClassCount | Should -Be 5
        $facility.IsDefault | Should -BeTrue
    }

    It 'reads a database given by path, also as its folder' {
        (Get-Facility -Database $db).Id | Should -Be '9c9a861ccfe31c98f97cb3d38f9dc039'
        (Get-Facility -Database $kolibriHome).Id | Should -Be '9c9a861ccfe31c98f97cb3d38f9dc039'
    }

    It 'says clearly when there is no database' {
        { Get-FacilityUser -Database (Join-Path $TestDrive 'none/db.sqlite3') -ErrorAction Stop } |
            Should -Throw -ErrorId 'DatabaseNotFound,KolibriFacility.PowerShell.Commands.GetFacilityUserCommand'
    }

    It 'says clearly when the file is not a Kolibri database' {
        $notDb = Join-Path $TestDrive 'notes.sqlite3'
        Set-Content -Path $notDb -Value 'just text'
        { Get-Facility -Database $notDb -ErrorAction Stop } |
            Should -Throw -ErrorId 'NotAKolibriDatabase,KolibriFacility.PowerShell.Commands.GetFacilityCommand'
    }

    It 'never changes the database it reads' {
        $before = (Get-FileHash $db).Hash
        Get-FacilityClass -Database $db | Get-FacilityUser | Out-Null
        Export-FacilityUsers -Database $db -Path (Join-Path $TestDrive 'hash.csv')
        (Get-FileHash $db).Hash | Should -Be $before
    }

    It 'picks a facility by name or id and rejects an unknown one' {
        (Get-FacilityClass -Database $db -Facility 'demo facility') | Should -HaveCount 5
        (Get-FacilityClass -Database $db -Facility '9c9a861ccfe31c98f97cb3d38f9dc039') | Should -HaveCount 5
        { Get-FacilityClass -Database $db -Facility 'Elsewhere' -ErrorAction Stop } |
            Should -Throw -ErrorId 'FacilityNotFound,KolibriFacility.PowerShell.Commands.GetFacilityClassCommand'
    }
}

Describe 'Looking up users and classes' {
    BeforeAll {
        $db = Join-Path $TestDrive 'lookup.sqlite3'
        Copy-Item (Join-Path $FixtureFolder 'kolibri-small.sqlite3') $db
    }

    It 'lists every user with the type Kolibri gives them' {
        $users = Get-FacilityUser -Database $db
        $users | Should -HaveCount 51
        ($users | Where-Object UserType -eq 'ADMIN').Username | Should -Be @('admin', 'admin2', 'admin3', 'principal')
        ($users | Where-Object UserType -eq 'FACILITY_COACH') | Should -HaveCount 4
        ($users | Where-Object UserType -eq 'CLASS_COACH') | Should -HaveCount 6
        ($users | Where-Object IsSuperuser).Username | Should -Be 'admin'
    }

    It 'finds users by wildcard and by several types' {
        Get-FacilityUser -Database $db -Username 'learner0*' | Should -HaveCount 9
        Get-FacilityUser -Database $db -UserType CLASS_COACH, FACILITY_COACH | Should -HaveCount 10
        (Get-FacilityUser -Database $db LEARNER01).Username | Should -Be 'learner01'
    }

    It 'reports a username that does not exist, and is silent for a wildcard that matches nobody' {
        { Get-FacilityUser -Database $db -Username nobody -ErrorAction Stop } |
            Should -Throw -ErrorId 'UserNotFound,KolibriFacility.PowerShell.Commands.GetFacilityUserCommand'
        Get-FacilityUser -Database $db -Username 'nobody*' -ErrorVariable problems | Should -BeNullOrEmpty
        $problems | Should -BeNullOrEmpty
    }

    It 'lists the classes with learners and coaches and pipes them into Get-FacilityUser' {
        $classes = Get-FacilityClass -Database $db
        $classes.Name | Should -Be @('Class A', 'Class B', 'Grade 5 Math', 'Reading Club', 'Science 7')
        ($classes | Where-Object Name -eq 'Class B').LearnerCount | Should -Be 12

        $grade5 = Get-FacilityClass -Database $db 'Grade*' | Get-FacilityUser
        $grade5.Username | Should -Be @('fcoach2', 'ccoach3', 'ccoach6', 'learner02', 'learner11', 'learner14', 'learner16', 'learner24', 'learner33')
    }

    It 'keeps the database of piped objects' {
        Get-Facility -Database $db | Get-FacilityUser -UserType LEARNER | Should -HaveCount 37
    }

    It 'completes facility, class and user names with Tab' {
        $line = "Get-FacilityUser -Database '$db' -Class gr"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be "'Grade 5 Math'"
        $line = "Get-FacilityUser -Database '$db' -Username ccoach"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches | Should -HaveCount 6
        $line = "Get-FacilityClass -Database '$db' -Facility De"
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Be "'Demo Facility'"
    }
}

Describe 'Exporting users for a spreadsheet' {
    BeforeAll {
        $db = Join-Path $TestDrive 'export.sqlite3'
        Copy-Item (Join-Path $FixtureFolder 'kolibri-small.sqlite3') $db
        $kolibriExport = [System.IO.File]::ReadAllBytes((Join-Path $FixtureFolder 'users-export.csv'))
    }

    It 'writes exactly the file Kolibri writes' {
        $file = Export-FacilityUsers -Database $db -Path (Join-Path $TestDrive 'users.csv') -PassThru
        $file | Should -BeOfType System.IO.FileInfo
        [System.IO.File]::ReadAllBytes($file.FullName) | Should -Be $kolibriExport
    }

    It 'uses Kolibri''s file name in a folder and never overwrites with -NoClobber' {
        $folder = Join-Path $TestDrive 'exports'
        New-Item -ItemType Directory -Path $folder | Out-Null
        $file = Export-FacilityUsers -Database $db -Path $folder -PassThru
        $file.Name | Should -Be 'Demo Facility_9c9a_users.csv'
        { Export-FacilityUsers -Database $db -Path $file.FullName -NoClobber -ErrorAction Stop } |
            Should -Throw -ErrorId 'FileExists,KolibriFacility.PowerShell.Commands.ExportFacilityUsersCommand'
    }

    It 'exports only the users piped in, and no admins unless asked' {
        $path = Join-Path $TestDrive 'classA.csv'
        Get-FacilityUser -Database $db -Class 'Class A' | Export-FacilityUsers -Path $path -WarningVariable warnings -WarningAction SilentlyContinue
        $rows = Import-Csv $path
        $rows | Should -HaveCount 12
        $warnings | Should -Match 'admin3'

        Export-FacilityUsers -Database $db -Path (Join-Path $TestDrive 'all.csv') -IncludeAdmins
        Import-Csv (Join-Path $TestDrive 'all.csv') | Should -HaveCount 51
    }

    It 'writes a header only when nobody came down the pipeline' {
        $path = Join-Path $TestDrive 'nobody.csv'
        Get-FacilityUser -Database $db -Username 'nobody*' | Export-FacilityUsers -Database $db -Path $path -WarningAction SilentlyContinue
        Get-Content $path | Should -HaveCount 1
    }

    It 'writes without a BOM when asked and keeps brackets with -LiteralPath' {
        $path = Join-Path $TestDrive 'users[2026].csv'
        Export-FacilityUsers -Database $db -LiteralPath $path -Encoding utf8NoBOM
        [System.IO.File]::ReadAllBytes($path) | Should -Be $kolibriExport[3..($kolibriExport.Length - 1)]
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $TestDrive 'whatif.csv'
        Export-FacilityUsers -Database $db -Path $path -WhatIf
        Test-Path $path | Should -BeFalse
    }
}
