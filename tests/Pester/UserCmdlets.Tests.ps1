BeforeAll { . (Join-Path $PSScriptRoot '..' 'common.ps1') }

# Issue 13: the small jobs of a facility admin, one user at a time or a pipeline of users, on a copy of the real
# Kolibri 0.17.5 database.
Describe 'New-FacilityUser / Set-FacilityUser / Remove-FacilityUser: an admin''s day' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        $database = Join-Path $kolibriHome 'db.sqlite3'
        $secret = 'Tulip-Harbor-482'
        $password = ConvertTo-SecureString $secret -AsPlainText -Force
    }

    It 'a new pupil arrives: created, enrolled, and shown as Get-FacilityUser shows users' {
        $user = New-FacilityUser -Database $database -Username nadia -FullName 'Nadia Haddad' -Password $password -Class 'Class A' -BirthYear 2015 -PassThru -ErrorAction Stop
        $user.Username | Should -Be 'nadia'
        $user.UserType | Should -Be 'LEARNER'
        $user.EnrolledIn | Should -Be @('Class A')
        (Get-FacilityUser -Database $database nadia).HasPassword | Should -BeTrue
    }

    It 'a learner forgot her password: the reset shows in -WhatIf without the password, then applies' {
        # What if: lines go to the host, not to a stream: a transcript catches them as the admin sees them.
        $transcript = Join-Path $TestDrive 'whatif.txt'
        Start-Transcript -LiteralPath $transcript | Out-Null
        $hash = (Get-FileHash -LiteralPath $database).Hash
        Get-FacilityUser -Database $database learner02 | Set-FacilityUser -Password $password -WhatIf
        Stop-Transcript | Out-Null
        $whatIf = Get-Content -LiteralPath $transcript -Raw
        $whatIf | Should -Match "Update user 'learner02': PASSWORD changed"
        $whatIf | Should -Not -Match $secret
        (Get-FileHash -LiteralPath $database).Hash | Should -Be $hash
        $before = (Get-FacilityUser -Database $database learner02)
        $verbose = Get-FacilityUser -Database $database learner02 | Set-FacilityUser -Password $password -Verbose -ErrorAction Stop 4>&1 | Out-String
        $verbose | Should -Not -Match $secret
        $after = Get-FacilityUser -Database $database learner02
        $after.FullName | Should -Be $before.FullName
        $after.EnrolledIn | Should -Be $before.EnrolledIn
    }

    It 'a plain-text password is refused (SecureString or PSCredential only)' {
        { Set-FacilityUser -Database $database learner02 -Password 'plain' -ErrorAction Stop } | Should -Throw
    }

    It 'a typo gets the same error id as in a users CSV, and nothing is written' {
        $before = (Get-FileHash -LiteralPath $database).Hash
        $errors = $null
        { New-FacilityUser -Database $database -Username 'new kid' -FullName 'New Kid' -Password $password -ErrorVariable script:errors -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId 'ImportHasErrors,KolibriFacility.PowerShell.Commands.NewFacilityUserCommand'
        $script:errors.FullyQualifiedErrorId | Should -Contain 'UsernameInvalidCharacters,KolibriFacility.PowerShell.Commands.NewFacilityUserCommand'
        (Get-FileHash -LiteralPath $database).Hash | Should -Be $before
    }

    It 'a whole class gets new passwords in one transaction, with one backup' {
        $learners = @(Get-FacilityUser -Database $database -Class 'Reading Club' -UserType LEARNER)
        $learners.Count | Should -BeGreaterThan 3
        $learners | Set-FacilityUser -Password $password -Backup -Confirm:$false -ErrorAction Stop
        @(Get-ChildItem -LiteralPath (Join-Path $kolibriHome 'backups') -Filter '*.sqlite3').Count | Should -Be 1
    }

    It 'a user leaves: deleted after the confirmation, admins are protected' {
        Remove-FacilityUser -Database $database nadia -Confirm:$false -ErrorAction Stop
        Get-FacilityUser -Database $database nadia -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        { Remove-FacilityUser -Database $database admin2 -Confirm:$false -ErrorVariable script:errors -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'ImportHasErrors*'
        $script:errors.FullyQualifiedErrorId | Should -Contain 'UserProtected,KolibriFacility.PowerShell.Commands.RemoveFacilityUserCommand'
        Get-FacilityUser -Database $database admin2 | Should -Not -BeNullOrEmpty
    }
}
