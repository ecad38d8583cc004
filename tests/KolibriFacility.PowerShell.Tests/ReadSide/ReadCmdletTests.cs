using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

public sealed class ReadCmdletTests : HostedModuleTest
{
    private const string UserCmd = "KolibriFacility.PowerShell.Commands.GetFacilityUserCommand";
    private const string ClassCmd = "KolibriFacility.PowerShell.Commands.GetFacilityClassCommand";
    private const string FacilityCmd = "KolibriFacility.PowerShell.Commands.GetFacilityCommand";
    private const string SecondId = "0123456789abcdef0123456789abcdef";

    [Fact]
    public void Get_Facility_by_name_id_or_wildcard_and_a_literal_that_matches_nothing_is_ObjectNotFound()
    {
        Assert.Equal(["Demo Facility"], Strings(Ok("Get-Facility -Database $Db -Name 'demo facility'"), "Name"));
        Assert.Equal(["Demo Facility"], Strings(Ok($"Get-Facility -Database $Db {FacilityId}"), "Name"));
        Assert.Equal(["Demo Facility"], Strings(Ok("'Dem*' | Get-Facility -Database $Db"), "Name"));
        Assert.Empty(Ok("Get-Facility -Database $Db 'Nowhere*'").Output);

        var missing = Run("Get-Facility -Database $Db -Name Nowhere, 'Demo Facility'");
        Assert.Equal(["Demo Facility"], Strings(missing, "Name"));
        var error = Assert.Single(missing.Errors);
        Assert.Equal("FacilityNotFound," + FacilityCmd, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Database_binds_by_property_name_from_piped_objects()
    {
        Assert.Equal(["Demo Facility"], Strings(Ok("[pscustomobject]@{ Database = $Db; Name = 'Demo*' } | Get-Facility"), "Name"));
        Assert.Equal(5, Ok("[pscustomobject]@{ Database = $Db } | Get-FacilityClass").Output.Count);
        Assert.Equal(51, Ok("Get-Facility -Database $Db | Get-FacilityUser").Output.Count);
        Assert.Equal(5, Ok("Get-Facility -Database $Db | Get-FacilityClass").Output.Count);
        Assert.Equal(51, Ok("[pscustomobject]@{ DatabasePath = $Db } | Get-FacilityUser").Output.Count);
    }

    [Fact]
    public void A_piped_facility_selects_that_facility()
    {
        AddFacility(SecondId, "Second School");
        Assert.Equal(2, Ok("Get-Facility -Database $Db").Output.Count);
        Assert.Empty(Ok("Get-Facility -Database $Db 'Second School' | Get-FacilityUser").Output);
        Assert.Equal(51, Ok("Get-Facility -Database $Db 'Demo Facility' | Get-FacilityUser").Output.Count);
        Assert.Empty(Ok("Get-FacilityUser -Database $Db -Facility 'second school'").Output);
        Assert.Empty(Ok($"Get-FacilityClass -Database $Db -Facility {SecondId}").Output);
        Assert.Equal(5, Ok($"Get-FacilityClass -Database $Db -Facility {FacilityId}").Output.Count);
    }

    [Fact]
    public void Facility_selection_errors_are_terminating_with_stable_ids()
    {
        var unknown = Run("Get-FacilityUser -Database $Db -Facility Nowhere");
        Assert.Equal(["FacilityNotFound," + UserCmd], unknown.ErrorIds);
        Assert.Contains("'Demo Facility' (" + FacilityId + ")", unknown.Errors.Concat([unknown.Terminating!]).First(e => e is not null).Exception.Message);

        AddFacility(SecondId, "Second School");
        Sql("UPDATE device_devicesettings SET default_facility_id = NULL");
        var noDefault = Run("Get-FacilityClass -Database $Db");
        Assert.Equal(["NoDefaultFacility," + ClassCmd], noDefault.ErrorIds);
        var message = noDefault.Errors.Select(e => e.Exception.Message).Concat([noDefault.Terminating?.Exception.Message]).First(m => m is not null)!;
        Assert.Contains("Second School", message);
        Assert.Contains("Demo Facility", message);

        AddFacility("fedcba9876543210fedcba9876543210", "second SCHOOL");
        Assert.Equal(["FacilityAmbiguous," + UserCmd], Run("Get-FacilityUser -Database $Db -Facility 'Second School'").ErrorIds);
    }

    [Fact]
    public void Username_wildcards_literals_case_and_several_names()
    {
        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"learner0{i}"), Strings(Ok("Get-FacilityUser -Database $Db -Username 'learner0*'"), "Username"));
        Assert.Equal(["learner01"], Strings(Ok("Get-FacilityUser -Database $Db LEARNER01"), "Username"));
        Assert.Equal(["admin", "fcoach1"], Strings(Ok("Get-FacilityUser -Database $Db -Username fcoach1, admin"), "Username"));
        Assert.Equal(["admin", "admin2", "admin3"], Strings(Ok("Get-FacilityUser -Database $Db -Username 'adm*', admin"), "Username"));

        var mixed = Run("Get-FacilityUser -Database $Db -Username nobody, learner02, 'none*'");
        Assert.Equal(["learner02"], Strings(mixed, "Username"));
        var error = Assert.Single(mixed.Errors);
        Assert.Equal("UserNotFound," + UserCmd, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("nobody", error.TargetObject);
    }

    [Fact]
    public void Usernames_bind_from_piped_objects_by_property_name()
    {
        var result = Ok("'learner03', 'fcoach2' | ForEach-Object { [pscustomobject]@{ Username = $_ } } | Get-FacilityUser -Database $Db");
        Assert.Equal(["learner03", "fcoach2"], Strings(result, "Username"));
    }

    [Fact]
    public void UserType_takes_several_values_and_rejects_unknown_ones()
    {
        var coaches = Ok("Get-FacilityUser -Database $Db -UserType CLASS_COACH, FACILITY_COACH");
        Assert.Equal(10, coaches.Output.Count);
        Assert.Equal(4, Ok("Get-FacilityUser -Database $Db -UserType ADMIN").Output.Count);
        Assert.Equal(37, Ok("Get-FacilityUser -Database $Db -UserType learner").Output.Count);
        Assert.Equal(["fcoach1"], Strings(Ok("Get-FacilityUser -Database $Db -UserType FACILITY_COACH -Username '*1'"), "Username"));

        var bad = Run("Get-FacilityUser -Database $Db -UserType TEACHER");
        Assert.Contains(bad.ErrorIds, id => id.StartsWith("ParameterArgumentTransformationError", StringComparison.Ordinal) || id.StartsWith("CannotConvertArgumentNoMessage", StringComparison.Ordinal));
        Assert.Empty(bad.Output);
    }

    [Fact]
    public void Users_are_typed_with_their_classes_and_flags()
    {
        var result = Ok("Get-FacilityUser -Database $Db fcoach1, admin");
        Assert.All(result.Output, o => Assert.Equal("KolibriFacility.Core.Model.FacilityUser", o.BaseObject.GetType().FullName));
        var fcoach = result.Output.Single(o => (string)o.Properties["Username"].Value == "fcoach1");
        Assert.Equal("FACILITY_COACH", fcoach.Properties["UserType"].Value.ToString());
        Assert.Equal(new[] { "Class B", "Class A" }, (IEnumerable<string>)fcoach.Properties["AssignedTo"].Value);
        Assert.Equal("ID-0521", fcoach.Properties["Identifier"].Value);
        Assert.Equal("Demo Facility", fcoach.Properties["Facility"].Value);
        Assert.Equal(false, fcoach.Properties["IsSuperuser"].Value);
        Assert.NotNull(fcoach.Properties["DateJoined"].Value);
        var admin = result.Output.Single(o => (string)o.Properties["Username"].Value == "admin");
        Assert.Equal(true, admin.Properties["IsSuperuser"].Value);
        Assert.Equal(true, admin.Properties["IsAdmin"].Value);
    }

    [Fact]
    public void Class_filter_by_name_id_wildcard_and_a_missing_class_is_ClassNotFound()
    {
        Assert.Equal(14, Ok("Get-FacilityUser -Database $Db -Class 'class b'").Output.Count);
        Assert.Equal(14, Ok("Get-FacilityUser -Database $Db -Class d36a94dda8f0d37bead1b985ca8ddf02").Output.Count);
        Assert.Equal(["learner02", "learner16", "learner30", "learner32"],
            Strings(Ok("Get-FacilityUser -Database $Db -Class 'Class A' -UserType LEARNER | Where-Object { $_.EnrolledIn -contains 'Class B' -or $_.EnrolledIn -contains 'Grade 5 Math' }"), "Username"));
        Assert.Empty(Ok("Get-FacilityUser -Database $Db -Class 'Nope*'").Output);

        var missing = Run("Get-FacilityUser -Database $Db -Class 'No Such Class'");
        Assert.Empty(missing.Output);
        Assert.Equal(["ClassNotFound," + UserCmd], missing.ErrorIds);
    }

    [Fact]
    public void Get_FacilityClass_filters_and_pipes_into_Get_FacilityUser_once_per_user()
    {
        var classes = Ok("Get-FacilityClass -Database $Db");
        Assert.Equal(["Class A", "Class B", "Grade 5 Math", "Reading Club", "Science 7"], Strings(classes, "Name"));
        Assert.Equal(["9", "12", "6", "7", "6"], Strings(classes, "LearnerCount"));
        Assert.Equal(["4", "2", "3", "2", "3"], Strings(classes, "CoachCount"));
        Assert.Equal(["Class A"], Strings(Ok("Get-FacilityClass -Database $Db -Name 'CLASS A'"), "Name"));
        Assert.Equal(["Class A", "Class B"], Strings(Ok("Get-FacilityClass -Database $Db 'Class*'"), "Name"));

        var missing = Run("Get-FacilityClass -Database $Db 'Art'");
        Assert.Equal(["ClassNotFound," + ClassCmd], missing.ErrorIds);

        // Class A and Class B share learner30, learner32 and fcoach1: each user comes once (24 users).
        var users = Ok("Get-FacilityClass -Database $Db 'Class*' | Get-FacilityUser");
        var names = Strings(users, "Username");
        Assert.Equal(names.Distinct().Count(), names.Count);
        Assert.Contains("learner30", names);
        Assert.Contains("fcoach1", names);
        Assert.Contains("admin3", names);
        Assert.Equal(24, names.Count);
    }

    [Theory]
    [InlineData("nope.sqlite3", "DatabaseNotFound")]
    [InlineData("text.sqlite3", "NotAKolibriDatabase")]
    [InlineData("broken.sqlite3", "UnsupportedKolibriSchema")]
    public void A_bad_database_is_one_terminating_error_naming_the_problem_and_the_path(string file, string errorId)
    {
        var path = Home.File(file);
        if (file == "text.sqlite3")
        {
            File.WriteAllText(path, "Database ID (UUID),Username (USERNAME)\r\n");
        }
        else if (file == "broken.sqlite3")
        {
            File.Copy(Db, path);
            using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DROP TABLE kolibriauth_role";
            command.ExecuteNonQuery();
        }

        foreach (var command in new[] { "Get-Facility", "Get-FacilityUser", "Get-FacilityClass", "Export-FacilityUsers -Path \"$Dir/x.csv\"" })
        {
            var result = Session.Run($"{command} -Database $Bad; 'next statement'", new Dictionary<string, object?> { ["Bad"] = path, ["Dir"] = Home.Path });
            var error = Assert.Single(result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]));
            Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId);
            Assert.Contains(path, error.Exception.Message);
            Assert.Equal(path, error.TargetObject);
            Assert.Equal(["next statement"], result.Output.Select(o => o.BaseObject.ToString()));
        }

        Assert.False(File.Exists(Home.File("x.csv")));
    }

    [Fact]
    public void Users_of_two_copies_of_a_database_are_both_listed()
    {
        File.Copy(Db, Home.File("copy.sqlite3"));
        var result = Ok("@($Db, \"$Dir/copy.sqlite3\") | ForEach-Object { [pscustomobject]@{ Database = $_; Username = 'learner01' } } | Get-FacilityUser");
        Assert.Equal(2, result.Output.Count);
        Assert.Equal([Db, Home.File("copy.sqlite3")], Strings(result, "Database"));
    }

    [Fact]
    public void Ctrl_C_stops_a_running_Get_FacilityUser()
    {
        var control = Ok("Get-FacilityUser -Database $Db").Output.Count;
        var before = DbFiles.Sha256(Db);
        // After the first user the pipeline waits in a loop the engine can stop (Start-Sleep is not in the test
        // engine's session), so only Ctrl+C can make the first user the last.
        var (result, stopped) = Session.RunAndStop(
            "Get-FacilityUser -Database $Db | ForEach-Object { $_; while ($true) { [System.Threading.Thread]::Sleep(20) } }",
            Vars, written => written > 0, TimeSpan.FromMinutes(5));
        Assert.True(stopped);
        Assert.Equal(PSInvocationState.Stopped, result.State);
        Assert.Equal(51, control);
        Assert.Single(result.Output); // cut short: 1 of the 51 users
        Assert.Equal(before, DbFiles.Sha256(Db));
        Assert.Equal(control, Ok("Get-FacilityUser -Database $Db").Output.Count); // the session and database are fine afterwards
    }

    [Fact]
    public void KOLIBRI_HOME_is_the_default_database()
    {
        var result = Ok("$env:KOLIBRI_HOME = $Dir; try { Get-Facility; Get-FacilityUser -Username learner01 } finally { $env:KOLIBRI_HOME = $null }");
        Assert.Equal(2, result.Output.Count);
    }

    [Fact]
    public void Relative_database_paths_resolve_from_the_PowerShell_location()
    {
        var result = Ok("$null = $ExecutionContext.SessionState.Path.SetLocation($Dir); Get-Facility -Database ./db.sqlite3; Get-Facility -Database .");
        Assert.Equal(2, result.Output.Count);
    }
}
