using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Edit;

/// <summary>New-/Set-/Remove-FacilityClass and Add-/Remove-FacilityClassMember in the real PowerShell engine.</summary>
public sealed class ClassCmdletTests : HostedModuleTest
{
    private string Scalar(string sql) => DbFiles.Rows(Db, sql).Single()[0];

    private List<string> Members(string className, string kind = "learner") => DbFiles.Rows(Db, kind == "learner"
        ? $"SELECT u.username FROM kolibriauth_membership m JOIN kolibriauth_facilityuser u ON u.id = m.user_id JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE c.name = '{className}' ORDER BY 1"
        : $"SELECT u.username FROM kolibriauth_role r JOIN kolibriauth_facilityuser u ON u.id = r.user_id JOIN kolibriauth_collection c ON c.id = r.collection_id WHERE c.name = '{className}' AND r.kind = 'coach' ORDER BY 1")
        .Select(r => r[0]).ToList();

    [Fact]
    public void A_class_move_adds_the_piped_learners_to_the_new_class_in_one_plan_then_removes_them_from_the_old()
    {
        Ok("New-FacilityClass -Database $Db 'Grade 4 A'");
        var learners = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER").Output.Select(o => o.Properties["Username"].Value.ToString()!).Order().ToList();

        var whatIf = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Add-FacilityClassMember -Class 'Grade 4 A' -WhatIf");
        Assert.Equal(learners.Select(l => $"What if: Enrol '{l}' in class 'Grade 4 A'").Order(), whatIf.WhatIf.Order());
        Assert.Empty(Members("Grade 4 A"));

        var added = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Add-FacilityClassMember -Class 'Grade 4 A' -PassThru -Verbose");
        Assert.Single(added.Verbose, v => v.StartsWith("Planned ", StringComparison.Ordinal));
        Assert.Equal(learners, Members("Grade 4 A"));
        Assert.All(added.Output, u => Assert.Contains("Grade 4 A", (IEnumerable<string>)u.Properties["EnrolledIn"].Value));

        Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Remove-FacilityClassMember -Class 'Class B'");
        Assert.DoesNotContain(Members("Class B"), learners.Contains);
        Assert.Equal(learners, Members("Grade 4 A"));
    }

    [Fact]
    public void Coaches_are_assigned_and_removed_with_Role_Coach_and_a_learner_is_not_made_a_coach()
    {
        Ok("Add-FacilityClassMember -Database $Db -Class 'Reading Club' -Username ccoach1 -Role Coach");
        Assert.Contains("ccoach1", Members("Reading Club", "coach"));
        var learner = Ok("Add-FacilityClassMember -Database $Db 'Reading Club' learner02 -Role Coach");
        Assert.Contains(learner.Warnings, w => w.Contains("LEARNER", StringComparison.Ordinal));
        Assert.DoesNotContain("learner02", Members("Reading Club", "coach"));

        Session.Host.Answers.Enqueue("Yes");
        Ok("Remove-FacilityClassMember -Database $Db 'Reading Club' ccoach1 -Role Coach -Confirm");
        Assert.Contains(Session.Host.Prompts, p => p.Contains("Remove 'ccoach1' as coach of class 'Reading Club'", StringComparison.Ordinal));
        Assert.DoesNotContain("ccoach1", Members("Reading Club", "coach"));
    }

    [Fact]
    public void A_renamed_class_keeps_its_id_members_and_lessons()
    {
        var id = Scalar("SELECT id FROM kolibriauth_collection WHERE name = 'Reading Club'");
        var members = Members("Reading Club");
        var renamed = Ok("Get-FacilityClass -Database $Db 'Reading Club' | Set-FacilityClass -NewName 'Book Club' -PassThru");
        Assert.Equal(id, renamed.Output.Single().Properties["Id"].Value);
        Assert.Equal("Book Club", Scalar($"SELECT name FROM kolibriauth_collection WHERE id = '{id}'"));
        Assert.Equal(members, Members("Book Club"));
        Assert.Equal("1", Scalar($"SELECT _morango_dirty_bit FROM kolibriauth_collection WHERE id = '{id}'"));
    }

    [Theory]
    [InlineData("New-FacilityClass -Database $Db 'class a'", "ClassNameTaken")]
    [InlineData("Set-FacilityClass -Database $Db 'Class A' -NewName 'Class B'", "ClassNameTaken")]
    [InlineData("New-FacilityClass -Database $Db ('x' * 51)", "ClassNameTooLong")]
    [InlineData("Set-FacilityClass -Database $Db 'Nope' -NewName 'Other'", "ClassNotFound")]
    [InlineData("Add-FacilityClassMember -Database $Db 'Nope' learner02", "ClassNotFound")]
    [InlineData("'learner02', 'learner02' | Add-FacilityClassMember -Database $Db 'Class A'", "UuidDuplicated")]
    public void Invalid_class_edits_get_their_error_id_and_nothing_is_written(string script, string errorId) =>
        AssertPlanRefusedAndNothingWritten(script, errorId);

    [Fact]
    public void Remove_FacilityClass_refuses_a_class_with_lessons_without_Force_and_deletes_it_as_Kolibri_does_with_it()
    {
        var id = Scalar("SELECT id FROM kolibriauth_collection WHERE name = 'Science 7'");
        var before = DbFiles.Sha256(Db);
        var refused = Run("Remove-FacilityClass -Database $Db 'Science 7' -Confirm:$false");
        Assert.StartsWith("ImportRefused,", refused.ErrorIds.Last(), StringComparison.Ordinal);
        var advice = (refused.Terminating ?? refused.Errors.Last()).ErrorDetails.RecommendedAction;
        Assert.Contains("-Force", advice, StringComparison.Ordinal);
        Assert.DoesNotContain("RemoveUnreferencedClasses", advice, StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));

        var whatIf = Ok("Remove-FacilityClass -Database $Db 'Science 7' -Force -WhatIf");
        Assert.Equal(["What if: Delete class 'Science 7' (6 learner(s), 3 coach(es), 2 lesson(s), 1 quiz(zes))"], whatIf.WhatIf);

        Ok("Get-FacilityClass -Database $Db 'Science 7' | Remove-FacilityClass -Force -Confirm:$false");
        Assert.Equal("0", Scalar($"SELECT COUNT(*) FROM kolibriauth_collection WHERE id = '{id}'"));
        Assert.Equal("0", Scalar($"SELECT COUNT(*) FROM lessons_lesson WHERE collection_id = '{id}'"));
        Assert.Equal("0", Scalar($"SELECT COUNT(*) FROM exams_exam WHERE collection_id = '{id}'"));
        Assert.Equal("1", Scalar($"SELECT COUNT(*) FROM morango_deletedmodels WHERE id = '{id}'"));
        Assert.Single(Directory.GetFiles(Home.File("backups"), "*.sqlite3"));
    }
}
