BeforeAll { . (Join-Path $PSScriptRoot '..' 'common.ps1') }

# Issue 12: the pipelines admins type every day, against a copy of the real Kolibri 0.17.5 database.
Describe 'Pipelines into Import-FacilityUsers (a file or a path binds to the CSV, a plan to -Plan)' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        $database = Join-Path $kolibriHome 'db.sqlite3'
        $csv = Join-Path $kolibriHome 'users.csv'
        Export-FacilityUsers -Database $database -Path $csv
        $before = (Get-FileHash -LiteralPath $database).Hash
    }

    It 'Get-Item users.csv | Import-FacilityUsers -WhatIf previews the file and writes nothing' {
        $out = Get-Item -LiteralPath $csv | Import-FacilityUsers -Database $database -WhatIf -ErrorAction Stop 6>&1 | Out-String
        $out | Should -Not -Match 'not an import plan'
        (Get-FileHash -LiteralPath $database).Hash | Should -Be $before
    }

    It "'users.csv' | Import-FacilityUsers -WhatIf binds the string to -Path" {
        { $csv | Import-FacilityUsers -Database $database -WhatIf -ErrorAction Stop } | Should -Not -Throw
        (Get-FileHash -LiteralPath $database).Hash | Should -Be $before
    }

    It 'both take the same input as Get-FacilityImportPlan and plan the same file' {
        (Get-Item -LiteralPath $csv | Get-FacilityImportPlan -Database $database).CsvPath | Should -Be $csv
        ($csv | Get-FacilityImportPlan -Database $database).CsvPath | Should -Be $csv
    }

    It 'a plan object from the pipeline still binds to -Plan and applies' {
        $plan = Get-FacilityImportPlan -Database $database -Path $csv
        $result = $plan | Import-FacilityUsers -Confirm:$false -PassThru -ErrorAction Stop
        $result.Plan.CsvPath | Should -Be $csv
    }
}

Describe 'Import-Csv classes.csv | Get-FacilityClass' {
    BeforeAll {
        $names = @(Get-FacilityClass -Database $FixtureDatabase | Select-Object -First 2 -ExpandProperty Name)
        $classesCsv = Join-Path $TestDrive 'classes.csv'
        $names | ForEach-Object { [pscustomobject]@{ Name = $_ } } | Export-Csv -LiteralPath $classesCsv
    }

    It 'binds -Name by property name, one class per row' {
        $classes = Import-Csv -LiteralPath $classesCsv | Get-FacilityClass -Database $FixtureDatabase
        @($classes.Name) | Should -Be $names
    }

    It 'takes a Class column too' {
        $classes = $names | ForEach-Object { [pscustomobject]@{ Class = $_ } } | Get-FacilityClass -Database $FixtureDatabase
        @($classes.Name) | Should -Be $names
    }
}

Describe 'A plan or its JSON from the pipeline binds to -Plan' {
    It '$plan.Json | Import-FacilityUsers applies the plan' {
        $kolibriHome = New-TestKolibriHome
        $database = Join-Path $kolibriHome 'db.sqlite3'
        $csv = Join-Path $kolibriHome 'users.csv'
        Export-FacilityUsers -Database $database -Path $csv
        Add-Content -LiteralPath $csv -Value ',piped_newbie,pass123,Piped Newbie,LEARNER,,,,,'
        $plan = Get-FacilityImportPlan -Database $database -Path $csv
        $result = $plan.Json | Import-FacilityUsers -NoBackup -Confirm:$false -PassThru -ErrorAction Stop
        $result.Summary.UsersCreated | Should -Be 1
        (Get-FacilityUser -Database $database -Username piped_newbie).Username | Should -Be 'piped_newbie'
    }
}

Describe 'Get-FacilityUser objects after Export-Clixml / Import-Clixml' {
    It 'format as the same readable table, user type by name with the superuser mark' {
        $clixml = Join-Path $TestDrive 'users.xml'
        Get-FacilityUser -Database $FixtureDatabase -Username admin | Export-Clixml -LiteralPath $clixml
        $back = Import-Clixml -LiteralPath $clixml
        $back.PSTypeNames[0] | Should -BeLike 'Deserialized.*'
        $table = $back | Format-Table | Out-String -Width 80
        $table | Should -Match 'admin\s+admin\s+ADMIN\*'
    }
}

Describe 'Get-FacilityUser | Export-Csv and | ConvertTo-Json write readable data' {
    It 'Export-Csv writes the class lists joined as Kolibri''s users CSV joins them, and the user type by name' {
        $csv = Join-Path $TestDrive 'users-export-csv.csv'
        Get-FacilityUser -Database $FixtureDatabase -Username fcoach1, learner01 | Export-Csv -LiteralPath $csv
        Get-Content -LiteralPath $csv -Raw | Should -Not -Match 'System\.String\[\]'
        $rows = Import-Csv -LiteralPath $csv
        $coach = $rows | Where-Object Username -eq fcoach1
        $coach.AssignedTo | Should -Be 'Class B,Class A'
        $coach.UserType | Should -Be 'FACILITY_COACH'
        ($rows | Where-Object Username -eq learner01).EnrolledIn | Should -Be ((Get-FacilityUser -Database $FixtureDatabase -Username learner01).EnrolledIn -join ',')
    }

    It 'ConvertTo-Json writes "UserType": "LEARNER" (not a number) and the class lists as arrays of names' {
        $json = Get-FacilityUser -Database $FixtureDatabase -Username fcoach1, learner01 | ConvertTo-Json
        $json | Should -Match '"UserType": "FACILITY_COACH"'
        $json | Should -Match '"UserType": "LEARNER"'
        $back = $json | ConvertFrom-Json
        @(($back | Where-Object Username -eq fcoach1).AssignedTo) | Should -Be @('Class B', 'Class A')
    }

    It 'the class lists still enumerate as names and the user type still filters by name' {
        $coach = Get-FacilityUser -Database $FixtureDatabase -Username fcoach1
        $coach.AssignedTo -contains 'Class A' | Should -BeTrue
        @(foreach ($name in $coach.AssignedTo) { $name.ToUpperInvariant() }) | Should -Be @('CLASS B', 'CLASS A')
        "$($coach.AssignedTo)" | Should -Be 'Class B Class A'
        $byName = @(Get-FacilityUser -Database $FixtureDatabase | Where-Object UserType -eq LEARNER)
        $byName.Count | Should -Be @(Get-FacilityUser -Database $FixtureDatabase -UserType LEARNER).Count
        $byName.Count | Should -BeGreaterThan 0
    }
}

Describe 'Get-Facility | Get-FacilityClass still lists every class of the facility' {
    It 'does not take the facility name for a class name' {
        $all = @(Get-FacilityClass -Database $FixtureDatabase)
        $piped = @(Get-Facility -Database $FixtureDatabase | Get-FacilityClass -ErrorAction Stop)
        $all.Count | Should -BeGreaterThan 0
        @($piped.Id) | Should -Be @($all.Id)
    }

    It 'still filters by -Name given on the command line' {
        $first = (Get-FacilityClass -Database $FixtureDatabase)[0].Name
        @(Get-Facility -Database $FixtureDatabase | Get-FacilityClass -Name $first).Name | Should -Be @($first)
    }
}
