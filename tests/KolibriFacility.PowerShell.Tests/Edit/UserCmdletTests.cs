using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Edit;

/// <summary>New-/Set-/Remove-FacilityUser in the real PowerShell engine, on copies of the fixture database.</summary>
public sealed class UserCmdletTests : HostedModuleTest
{
    private const string Secret = "Zebra-Quartz-719";

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Db,
        ["Dir"] = Home.Path,
        ["Pw"] = new System.Net.NetworkCredential("", Secret).SecurePassword,
    };

    private string Scalar(string sql) => DbFiles.Rows(Db, sql).Single()[0];

    /// <summary>Django's pbkdf2_sha256 check, as Kolibri's sign-in does it.</summary>
    private static bool PasswordMatches(string password, string stored)
    {
        var parts = stored.Split('$');
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(parts[2]), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        return parts[0] == "pbkdf2_sha256" && Convert.ToBase64String(key) == parts[3];
    }

    private static void AssertNoSecret(ScriptResult result)
    {
        var everything = string.Join("\n", result.HostLines.Concat(result.Verbose).Concat(result.Warnings).Concat(result.Errors.Select(e => e.ToString() + e.TargetObject))
            .Concat(result.Output.Select(o => o.ToString())));
        Assert.DoesNotContain(Secret, everything, StringComparison.Ordinal);
    }

    [Fact]
    public void New_FacilityUser_creates_an_enrolled_learner_whose_password_signs_in_and_PassThru_returns_it()
    {
        var result = Ok("New-FacilityUser -Database $Db -Username maria -FullName 'Maria Lopez' -Password $Pw -Class 'class a' -BirthYear 2016 -Gender female -PassThru -Verbose");
        AssertNoSecret(result);
        var user = Assert.Single(result.Output);
        Assert.Equal("maria", user.Properties["Username"].Value);
        Assert.Equal(["Class A"], ((IEnumerable<string>)user.Properties["EnrolledIn"].Value).ToArray());
        Assert.Equal("LEARNER", user.Properties["UserType"].Value.ToString());
        Assert.True(PasswordMatches(Secret, Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'maria'")));
        Assert.Equal("FEMALE", Scalar("SELECT gender FROM kolibriauth_facilityuser WHERE username = 'maria'"));
        // No copy of the database unless -Backup; the journal of the change is kept (Undo-FacilityImport -Last undoes it).
        Assert.DoesNotContain(Directory.GetFiles(Home.File("backups")), f => !f.EndsWith(".journal.jsonl", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(Home.File("backups"), "*.journal.jsonl"));
    }

    [Fact]
    public void A_password_reset_from_the_pipeline_changes_only_the_password_and_never_shows_it()
    {
        var before = DbFiles.Rows(Db, "SELECT full_name, id_number, birth_year, gender FROM kolibriauth_facilityuser WHERE username = 'learner02'").Single();
        var whatIf = Ok("Get-FacilityUser -Database $Db learner02 | Set-FacilityUser -Password $Pw -WhatIf");
        Assert.Equal(["What if: Update user 'learner02': PASSWORD changed"], whatIf.WhatIf);
        AssertNoSecret(whatIf);
        Assert.False(PasswordMatches(Secret, Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'learner02'")));

        var result = Ok("Get-FacilityUser -Database $Db learner02 | Set-FacilityUser -Password $Pw -Verbose");
        AssertNoSecret(result);
        Assert.True(PasswordMatches(Secret, Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'learner02'")));
        Assert.Equal(before, DbFiles.Rows(Db, "SELECT full_name, id_number, birth_year, gender FROM kolibriauth_facilityuser WHERE username = 'learner02'").Single());
    }

    [Fact]
    public void A_plain_string_password_is_refused_by_the_binder()
    {
        var before = DbFiles.Sha256(Db);
        var result = Run("Set-FacilityUser -Database $Db learner02 -Password 'plain-text'");
        Assert.StartsWith("CannotConvertArgumentNoMessage,", Assert.Single(result.ErrorIds), StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Theory]
    [InlineData("New-FacilityUser -Database $Db -Username 'bad name' -FullName 'X' -Password $Pw", "UsernameInvalidCharacters")]
    [InlineData("New-FacilityUser -Database $Db -Username learner02 -FullName 'X' -Password $Pw", "UsernameTaken")]
    [InlineData("New-FacilityUser -Database $Db -Username okname -FullName 'X' -Password $Pw -BirthYear 1850", "BirthYearInvalid")]
    [InlineData("New-FacilityUser -Database $Db -Username okname -FullName 'X' -Password $Pw -Class 'No Such Class'", "ClassNotFound")]
    [InlineData("Set-FacilityUser -Database $Db learner02 -Gender robot", "GenderInvalid")]
    [InlineData("Set-FacilityUser -Database $Db learner02 -NewUsername learner03", "UsernameTaken")]
    [InlineData("Set-FacilityUser -Database $Db nobody -FullName X", "UserNotFound")]
    [InlineData("Remove-FacilityUser -Database $Db admin2 -Confirm:$false", "UserProtected")]
    public void Invalid_values_get_the_import_error_id_and_nothing_is_written(string script, string errorId) =>
        AssertPlanRefusedAndNothingWritten(script, errorId);

    [Fact]
    public void A_pipeline_is_one_plan_and_one_transaction_so_one_bad_user_stops_all()
    {
        var before = DbFiles.Sha256(Db);
        var result = Run("'learner02', 'nobody', 'learner03' | Set-FacilityUser -Database $Db -FullName 'Same Name'");
        var error = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("UserNotFound,", StringComparison.Ordinal));
        Assert.Equal(2, error.TargetObject.GetType().GetProperty("Row")!.GetValue(error.TargetObject));
        Assert.Equal(before, DbFiles.Sha256(Db));

        var many = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Set-FacilityUser -Password $Pw -Backup -Verbose");
        Assert.Single(many.Verbose, v => v.StartsWith("Planned ", StringComparison.Ordinal));
        Assert.Single(Directory.GetFiles(Home.File("backups"), "*.sqlite3"));
        var learners = DbFiles.Rows(Db, """
            SELECT u.password FROM kolibriauth_facilityuser u JOIN kolibriauth_membership m ON m.user_id = u.id
            JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE c.name = 'Class B'
            AND NOT EXISTS (SELECT 1 FROM kolibriauth_role r WHERE r.user_id = u.id)
            """);
        Assert.True(learners.Count > 5);
        Assert.All(learners, r => Assert.True(PasswordMatches(Secret, r[0])));
    }

    [Fact]
    public void Remove_FacilityUser_asks_first_a_No_keeps_the_user_and_a_Yes_deletes_with_one_backup()
    {
        Session.Host.Answers.Enqueue("No");
        Ok("Remove-FacilityUser -Database $Db learner14");
        Assert.Contains(Session.Host.Prompts, p => p.Contains("Delete user 'learner14'", StringComparison.Ordinal));
        Assert.Equal("1", Scalar("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'learner14'"));

        var id = Scalar("SELECT id FROM kolibriauth_facilityuser WHERE username = 'learner15'");
        Ok("Get-FacilityUser -Database $Db learner14, learner15 | Remove-FacilityUser -Confirm:$false");
        Assert.Equal("0", Scalar("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username IN ('learner14', 'learner15')"));
        Assert.Equal("1", Scalar($"SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = '{id}'"));
        Assert.Single(Directory.GetFiles(Home.File("backups"), "*.sqlite3"));
    }

    [Fact]
    public void Set_FacilityUser_changes_type_and_assignment_and_a_second_run_changes_nothing()
    {
        Ok("Set-FacilityUser -Database $Db learner16 -UserType CLASS_COACH -AssignTo 'Reading Club'");
        var user = Ok("Get-FacilityUser -Database $Db learner16").Output.Single();
        Assert.Equal("CLASS_COACH", user.Properties["UserType"].Value.ToString());
        Assert.Contains("Reading Club", (IEnumerable<string>)user.Properties["AssignedTo"].Value);
        var before = DbFiles.Sha256(Db);
        var again = Ok("Set-FacilityUser -Database $Db learner16 -UserType CLASS_COACH -AssignTo 'Reading Club' -Verbose");
        Assert.Contains(again.Verbose, v => v.StartsWith("Nothing to change", StringComparison.Ordinal));
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void Ctrl_C_while_a_pipelines_passwords_are_hashed_writes_nothing()
    {
        var before = DbFiles.Sha256(Db);
        // 200 new users in one pipeline: hashing outlasts the first progress poll.
        var (result, stopped) = Session.RunAndStop(
            "1..200 | ForEach-Object { [pscustomobject]@{ Username = \"pupil$_\"; FullName = \"Pupil $_\" } } | New-FacilityUser -Database $Db -Password $Pw",
            Vars,
            () => { lock (Session.Host.Progress) { return Session.Host.Progress.Any(p => p.StatusDescription.StartsWith("Hashing", StringComparison.Ordinal)); } },
            TimeSpan.FromSeconds(60));
        Assert.True(stopped, "the pipeline finished before it could be stopped");
        Assert.DoesNotContain(result.ErrorIds, id => id.StartsWith("System.", StringComparison.Ordinal));
        Assert.Equal(before, DbFiles.Sha256(Db));
        Assert.Empty(Directory.GetFiles(Home.Path, "*.sqlite3-journal"));
    }

    [Fact]
    public void Usernames_classes_and_genders_complete()
    {
        Assert.Equal(["ccoach1", "ccoach2", "ccoach3", "ccoach4", "ccoach5", "ccoach6"], Complete("Set-FacilityUser -Database $Db -Username cc"));
        Assert.Equal(["'Class A'", "'Class B'"], Complete("New-FacilityUser -Database $Db -Class Cl"));
        Assert.Equal(["'Reading Club'"], Complete("Add-FacilityClassMember -Database $Db -Class Rea"));
        Assert.Equal(["FEMALE"], Complete("New-FacilityUser -Gender fe"));
        Assert.Contains("learner02", Complete("Remove-FacilityUser -Database $Db learner0"));
    }

    private List<string> Complete(string line)
    {
        var input = line.Replace("$Db", "'" + Db.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal);
        var result = Session.Run("param() $s = $Line; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object?> { ["Line"] = input });
        Assert.Empty(result.ErrorIds);
        return result.Output.Select(o => o.BaseObject.ToString()!).ToList();
    }
}
