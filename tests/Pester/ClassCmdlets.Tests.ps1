BeforeAll { . (Join-Path $PSScriptRoot '..' 'common.ps1') }

# Issue 13: classes and their members, as an admin moves learners between classes at the end of a term.
Describe 'New-/Set-/Remove-FacilityClass and Add-/Remove-FacilityClassMember: the end of a term' {
    BeforeAll {
        $kolibriHome = New-TestKolibriHome
        $database = Join-Path $kolibriHome 'db.sqlite3'
    }

    It 'next year''s class is created' {
        $class = New-FacilityClass -Database $database 'Grade 4 A' -PassThru -ErrorAction Stop
        $class.Name | Should -Be 'Grade 4 A'
        $class.LearnerCount | Should -Be 0
    }

    It 'the learners of Class B move to Grade 4 A (one plan each way)' {
        $learners = @(Get-FacilityUser -Database $database -Class 'Class B' -UserType LEARNER)
        $learners | Add-FacilityClassMember -Class 'Grade 4 A' -ErrorAction Stop
        $learners | Remove-FacilityClassMember -Class 'Class B' -Confirm:$false -ErrorAction Stop
        (Get-FacilityClass -Database $database 'Grade 4 A').LearnerCount | Should -Be $learners.Count
        @(Get-FacilityUser -Database $database -Class 'Class B' -UserType LEARNER).Count | Should -Be 0
    }

    It 'a coach is assigned with -Role Coach' {
        Add-FacilityClassMember -Database $database -Class 'Grade 4 A' -Username ccoach1 -Role Coach -ErrorAction Stop
        (Get-FacilityUser -Database $database ccoach1).AssignedTo | Should -Contain 'Grade 4 A'
    }

    It 'a class is renamed and keeps its learners' {
        $before = Get-FacilityClass -Database $database 'Reading Club'
        Get-FacilityClass -Database $database 'Reading Club' | Set-FacilityClass -NewName 'Book Club' -ErrorAction Stop
        $after = Get-FacilityClass -Database $database 'Book Club'
        $after.Id | Should -Be $before.Id
        $after.LearnerCount | Should -Be $before.LearnerCount
    }

    It 'an old class with lessons is refused without -Force, then deleted with them' {
        { Remove-FacilityClass -Database $database 'Class B' -Confirm:$false } | Should -Throw -ErrorId 'ImportRefused,KolibriFacility.PowerShell.Commands.RemoveFacilityClassCommand'
        Get-FacilityClass -Database $database 'Class B' | Should -Not -BeNullOrEmpty
        Remove-FacilityClass -Database $database 'Class B' -Force -Confirm:$false -ErrorAction Stop
        Get-FacilityClass -Database $database 'Class B' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'a name already taken is refused with ClassNameTaken' {
        { New-FacilityClass -Database $database 'grade 4 a' -ErrorVariable script:errors -ErrorAction SilentlyContinue } | Should -Throw -ErrorId 'ImportHasErrors*'
        $script:errors.FullyQualifiedErrorId | Should -Contain 'ClassNameTaken,KolibriFacility.PowerShell.Commands.NewFacilityClassCommand'
    }
}
