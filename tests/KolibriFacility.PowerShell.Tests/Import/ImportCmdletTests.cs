using System.Security.Cryptography;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>Import-FacilityUsers and Get-FacilityImportPlan in the real PowerShell engine, on copies of the fixture database.</summary>
public sealed class ImportCmdletTests : HostedModuleTest
{
    private const string Command = "KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand";

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Db,
        ["Dir"] = Home.Path,
        ["Export"] = TestPaths.Fixture("users-export.csv"),
    };

    [Fact]
    public void Reimporting_Kolibris_own_export_plans_no_changes_and_writes_nothing()
    {
        var before = DbFiles.Sha256(Db);
        var plan = Session.Run("Get-FacilityImportPlan -Database $Db -Path $Export", Vars);
        Assert.Empty(plan.ErrorIds);
        var result = Assert.Single(plan.Output);
        Assert.Equal(true, result.Properties["IsEmpty"].Value);
        Assert.Equal(false, result.Properties["HasErrors"].Value);

        var import = Session.Run("Import-FacilityUsers -Database $Db -Path $Export -Confirm:$false -PassThru", Vars);
        Assert.Empty(import.ErrorIds);
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void WhatIf_shows_every_change_and_the_summary_and_writes_nothing()
    {
        var csv = WriteCsv("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "newbie,pass123,New Learner,LEARNER", "learner02,*,Renamed Learner,LEARNER");
        var before = DbFiles.Sha256(Db);
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -WhatIf", Vars);
        Assert.Equal(before, DbFiles.Sha256(Db));
        Assert.Empty(result.Errors);
        Assert.Null(result.Terminating);

        var plan = Session.Run($"Get-FacilityImportPlan -Database $Db -Path '{csv}'", Vars);
        var changes = (System.Collections.IEnumerable)plan.Output[0].Properties["Changes"].Value;
        var count = changes.Cast<object>().Count();
        var whatIf = result.WhatIf.ToList();
        Assert.Equal(count + 1, whatIf.Count); // one line per change, then the summary
        Assert.Contains(whatIf, l => l.Contains("newbie", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Renamed Learner", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("learner11", StringComparison.Ordinal)); // a user the file no longer lists: deleted
        Assert.DoesNotContain(whatIf, l => l.Contains("pass123", StringComparison.Ordinal));
    }

    [Fact]
    public void Confirm_asks_once_for_additions_and_once_per_deletion_and_a_No_keeps_that_user()
    {
        var csv = ExportWithout("learner11", "learner14", out var kept);
        Session.Host.Answers.Enqueue("Yes");   // the batch of additions/updates (none here: skipped when empty)
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Confirm -PassThru", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Equal(2, Session.Host.Prompts.Count(p => p.Contains("learner11", StringComparison.Ordinal) || p.Contains("learner14", StringComparison.Ordinal)));
        Assert.Equal(kept, Usernames().Count);
    }

    [Fact]
    public void Declining_a_deletion_keeps_that_user_and_applies_the_rest()
    {
        var csv = ExportWithout("learner11", "learner14", out var kept);
        Session.Host.Answers.Enqueue("No");   // keep the first one asked about
        Session.Host.Answers.Enqueue("Yes");
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Confirm", Vars);
        Assert.Empty(result.ErrorIds);
        var users = Usernames();
        Assert.Equal(kept + 1, users.Count);
        Assert.True(users.Contains("learner11") ^ users.Contains("learner14"));
    }

    [Fact]
    public void Errors_are_objects_naming_row_column_and_value_and_nothing_is_written()
    {
        var csv = WriteCsv("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "okuser,pass123,OK User,LEARNER", "baduser,pass123,Bad User,TEACHER");
        var before = DbFiles.Sha256(Db);
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -Confirm:$false", Vars);
        Assert.Equal(before, DbFiles.Sha256(Db));
        Assert.Equal("ImportHasErrors," + Command, result.ErrorIds.Last());
        var error = Assert.Single(result.Errors, e => e.FullyQualifiedErrorId.StartsWith("UserTypeInvalid,", StringComparison.Ordinal));
        Assert.StartsWith("UserTypeInvalid,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        var target = error.TargetObject;
        Assert.Equal(2, target.GetType().GetProperty("Row")!.GetValue(target));
        Assert.Equal("USER_TYPE", target.GetType().GetProperty("Column")!.GetValue(target));
        Assert.Equal("TEACHER", target.GetType().GetProperty("Value")!.GetValue(target));
    }

    [Fact]
    public void SkipInvalidRows_imports_the_valid_rows_and_writes_the_rejected_ones_with_their_errors()
    {
        var csv = WriteCsv("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "okuser,pass123,OK User,LEARNER", "baduser,pass123,Bad User,TEACHER");
        var rejected = Home.File("rejected.csv");
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -SkipInvalidRows -RejectedRowsPath '{rejected}' -Confirm:$false", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Contains(result.Warnings, w => w.Contains("TEACHER", StringComparison.Ordinal));
        var users = Usernames();
        Assert.Contains("okuser", users);
        Assert.DoesNotContain("baduser", users);
        var text = File.ReadAllText(rejected);
        Assert.Contains("ERRORS", text, StringComparison.Ordinal);
        Assert.Contains("baduser", text, StringComparison.Ordinal);
        Assert.DoesNotContain("okuser", text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_named_backups_stops_the_import_with_its_own_error_naming_the_file_and_the_way_out()
    {
        var csv = WriteCsv("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "newbie,pass123,New Learner,LEARNER");
        var backups = Home.File("backups");
        File.WriteAllText(backups, "not a folder");
        var before = DbFiles.Sha256(Db);

        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -Confirm:$false", Vars);

        var error = Assert.Single(result.Errors);
        Assert.Equal("BackupFolderIsFile," + Command, error.FullyQualifiedErrorId);
        Assert.Equal(backups, error.TargetObject);
        Assert.Contains("Rename or remove that file", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("journal", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Progress, p => p.StatusDescription.Contains("Hashing", StringComparison.Ordinal));
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void Mass_deletions_are_refused_unless_allowed_and_NoDelete_deletes_nobody()
    {
        var csv = WriteCsv("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "okuser,pass123,OK User,LEARNER");
        var before = DbFiles.Sha256(Db);
        var refused = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Confirm:$false", Vars);
        // One row against a facility of 47 non-admins: over the threshold, and more than half left out, so it looks cut short.
        Assert.Equal(["ImportFileLooksTruncated," + Command], refused.ErrorIds);
        var forced = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Force -Confirm:$false", Vars);
        Assert.Equal(["ImportFileLooksTruncated," + Command], forced.ErrorIds);
        Assert.Equal(before, DbFiles.Sha256(Db));
        // Core says why (both reasons); the PowerShell layer says what to do, in this module's parameters.
        var error = Assert.Single(refused.Errors);
        Assert.StartsWith("Nothing was imported: The CSV looks cut short", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("The import would delete", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-MaxDeletions", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("-FileIsComplete", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("-MaxDeletions N, or -Force", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(csv, error.TargetObject);

        var count = Usernames().Count;
        var kept = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -Confirm:$false -PassThru", Vars);
        Assert.Empty(kept.ErrorIds);
        Assert.Equal(count + 1, Usernames().Count);
    }

    [Fact]
    public void A_saved_plan_applies_after_a_Clixml_round_trip_and_is_refused_once_the_facility_changed()
    {
        var csv = ExportPlus(",newbie,pass123,New Learner,LEARNER,,,,,");
        var made = Session.Run($"$plan = Get-FacilityImportPlan -Database $Db -Path '{csv}'; $json = $plan.Json; $plan.Summary.UsersCreated", Vars);
        Assert.Empty(made.ErrorIds);
        Assert.Equal(1, made.Output[0].BaseObject);

        // Export-Clixml / Import-Clixml are PSSerializer (not loaded in this bare engine): a deserialized property bag
        // whose Json property carries the plan.
        var applied = Session.Run(
            "$back = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($plan)); " +
            "if ($back.psobject.TypeNames[0] -notlike 'Deserialized.*') { throw 'not deserialized' }; " +
            "Import-FacilityUsers -Plan $back -Confirm:$false -PassThru", Vars);
        Assert.Empty(applied.ErrorIds);
        Assert.Contains("newbie", Usernames());
        var backup = (string?)applied.Output[0].Properties["BackupPath"].Value;
        Assert.True(backup is not null && File.Exists(backup), "backup file");

        var stale = Session.Run("Import-FacilityUsers -Plan $json -Confirm:$false", Vars);
        Assert.Equal(["ImportPlanStale," + Command], stale.ErrorIds);
    }

    [Fact]
    public void A_plan_saved_as_a_JSON_file_applies_from_its_path()
    {
        var csv = ExportPlus(",newbie,pass123,New Learner,LEARNER,,,,,");
        var file = Home.File("plan.json");
        var saved = Session.Run($"[System.IO.File]::WriteAllText('{file}', (Get-FacilityImportPlan -Database $Db -Path '{csv}').Json)", Vars);
        Assert.Empty(saved.ErrorIds);
        var applied = Session.Run($"Import-FacilityUsers -Plan '{file}' -NoBackup -Confirm:$false -PassThru", Vars);
        Assert.Empty(applied.ErrorIds);
        Assert.Equal(1, ((dynamic)applied.Output[0].Properties["Summary"].Value).UsersCreated);
        Assert.Contains("newbie", Usernames());
    }

    [Fact]
    public void A_plan_whose_csv_changed_is_refused()
    {
        var csv = ExportPlus(",newbie,pass123,New Learner,LEARNER,,,,,");
        Session.Run($"$plan = Get-FacilityImportPlan -Database $Db -Path '{csv}'", Vars);
        File.AppendAllText(csv, ",another,pass123,Another One,LEARNER,,,,,\r\n");
        var before = DbFiles.Sha256(Db);
        var result = Session.Run("Import-FacilityUsers -Plan $plan -Confirm:$false", Vars);
        var error = Assert.Single(result.Errors);
        Assert.Equal("ImportPlanStale," + Command, error.FullyQualifiedErrorId);
        Assert.Contains("changed", error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void A_bad_plan_argument_is_a_parameter_binding_error()
    {
        var result = Session.Run("Import-FacilityUsers -Plan '{ not json' -Confirm:$false", Vars);
        Assert.StartsWith("ParameterArgumentTransformationError", Assert.Single(result.ErrorIds), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_csv_is_FileNotFound()
    {
        var result = Session.Run("Get-FacilityImportPlan -Database $Db -Path (\"$Dir\" + '/nope.csv')", Vars);
        Assert.StartsWith("FileNotFound,", Assert.Single(result.ErrorIds), StringComparison.Ordinal);
    }

    [Fact]
    public void Files_pipe_in_by_PSPath_and_the_plan_pipes_into_the_import()
    {
        var csv = ExportPlus(",newbie,pass123,New Learner,LEARNER,,,,,");
        var result = Session.Run($"[System.IO.FileInfo]::new('{csv}') | Get-FacilityImportPlan -Database $Db | Import-FacilityUsers -Confirm:$false -PassThru", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Single(result.Output);
        Assert.Contains("newbie", Usernames());
    }

    [Fact]
    public void Imported_users_get_a_password_that_Kolibri_verifies_and_show_up_in_the_module()
    {
        var csv = ExportPlus(",newbie,pass123,New Learner,LEARNER,,2001,FEMALE,Class A,");
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Confirm:$false; Get-FacilityUser -Database $Db -Username newbie", Vars);
        Assert.Empty(result.ErrorIds);
        var user = Assert.Single(result.Output);
        Assert.Equal("New Learner", user.Properties["FullName"].Value);
        Assert.Equal("LEARNER", user.Properties["UserType"].Value.ToString());
        using var connection = new SqliteConnection($"Data Source={Db};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT password FROM kolibriauth_facilityuser WHERE username = 'newbie'";
        var hash = (string)command.ExecuteScalar()!;
        Assert.StartsWith("pbkdf2_sha256$260000$", hash, StringComparison.Ordinal);
        Assert.True(VerifyDjango("pass123", hash));
    }

    private static bool VerifyDjango(string password, string encoded)
    {
        var parts = encoded.Split('$');
        var iterations = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
        var derived = Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(password), System.Text.Encoding.UTF8.GetBytes(parts[2]), iterations, HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(derived) == parts[3];
    }

    private string WriteCsv(params string[] lines)
    {
        var path = Home.File(Guid.NewGuid().ToString("N")[..8] + ".csv");
        File.WriteAllText(path, string.Join("\r\n", lines) + "\r\n");
        return path;
    }

    /// <summary>Kolibri's export of the fixture with extra data rows appended.</summary>
    private string ExportPlus(params string[] rows)
    {
        var path = Home.File(Guid.NewGuid().ToString("N")[..8] + ".csv");
        File.Copy(TestPaths.Fixture("users-export.csv"), path);
        File.AppendAllText(path, string.Concat(rows.Select(r => r + "\r\n")));
        return path;
    }

    /// <summary>Kolibri's export of the fixture without the rows of the given users; <paramref name="kept"/> is the user count the Db should have afterwards.</summary>
    private string ExportWithout(string first, string second, out int kept)
    {
        var lines = File.ReadAllLines(TestPaths.Fixture("users-export.csv"));
        var path = Home.File(Guid.NewGuid().ToString("N")[..8] + ".csv");
        File.WriteAllText(path, string.Concat(lines.Where(l => !l.Contains($",{first},", StringComparison.Ordinal) && !l.Contains($",{second},", StringComparison.Ordinal)).Select(l => l + "\r\n")), new System.Text.UTF8Encoding(false));
        kept = Usernames().Count - 2;
        return path;
    }

    private List<string> Usernames() => DbFiles.Rows(Db, "SELECT username FROM kolibriauth_facilityuser").Select(r => r[0]).ToList();

}
