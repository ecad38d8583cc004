using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Logs;

public sealed class FacilityLogTests : HostedModuleTest
{
    private const string NewCommand = "KolibriFacility.PowerShell.Commands.NewFacilityLogCommand";
    private const string GetCommand = "KolibriFacility.PowerShell.Commands.GetFacilityLogCommand";

    private static string Today => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("longest")]
    [InlineData("dotted")]
    public void A_facility_name_Kolibri_accepts_gives_a_default_file_name_that_can_be_written_and_is_visible(string kind)
    {
        // Kolibri accepts facility names of up to 100 characters, with a leading dot, a tab or a newline.
        var name = kind == "longest" ? new string('é', 100) : ".x\tcamp\nnorth";
        DbFiles.Execute(Db, "UPDATE kolibriauth_collection SET name = $name WHERE kind = 'facility'", ("$name", name));
        var result = Session.Run("[void]$ExecutionContext.SessionState.Path.SetLocation($Dir); New-FacilityLog -Database $Db -Type Summary", Vars);
        Assert.Empty(result.ErrorIds);
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.True(file.Exists);
        Assert.False(file.Name.StartsWith('.'), file.Name);
        Assert.DoesNotContain(file.Name, char.IsControl);
        Assert.EndsWith($"_content_summary_logs_from_2026-10-30_to_{Today}.csv", file.Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Session_log_gets_Kolibris_default_name_in_the_current_folder_and_equals_Kolibris_file()
    {
        var result = Session.Run("[void]$ExecutionContext.SessionState.Path.SetLocation($Dir); New-FacilityLog -Database $Db -Type Session", Vars);
        Assert.Empty(result.ErrorIds);
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal($"Demo Facility_9c9a_content_session_logs_from_2026-10-30_to_{Today}.csv", file.Name);
        Assert.Equal(Home.Path, file.DirectoryName);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("logs-session.csv")), File.ReadAllBytes(file.FullName));
        Assert.Contains(result.Progress, p => p.Activity == $"Writing the session logs of facility 'Demo Facility' to {file.Name}" && p.RecordType == ProgressRecordType.Completed);
    }

    [Fact]
    public void Detail_with_Kolibris_date_range_equals_Kolibris_file_and_Force_replaces_a_read_only_file()
    {
        var target = Home.File("detail.csv");
        File.WriteAllText(target, "old");
        File.SetAttributes(target, FileAttributes.ReadOnly);
        var script = "New-FacilityLog -Database $Db -Type Detail -Facility 'Demo Facility' -StartDate 2026-11-10 -EndDate 2026-11-15 -Path \"$Dir/detail.csv\"";
        var refused = Session.Run(script, Vars);
        Assert.Equal("FileWriteFailed," + NewCommand, Assert.Single(refused.ErrorIds));
        Assert.Equal("old", File.ReadAllText(target));

        var forced = Session.Run(script + " -Force", Vars);
        Assert.Empty(forced.ErrorIds);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("logs-session-2026-11-10_2026-11-15.csv")), File.ReadAllBytes(target));
    }

    [Fact]
    public void NoClobber_refuses_an_existing_file_and_WhatIf_writes_nothing()
    {
        File.WriteAllText(Home.File("logs.csv"), "keep");
        var refused = Session.Run("New-FacilityLog -Database $Db -Path \"$Dir/logs.csv\" -NoClobber", Vars);
        Assert.Equal("FileExists," + NewCommand, Assert.Single(refused.ErrorIds));
        Assert.Equal("keep", File.ReadAllText(Home.File("logs.csv")));

        var whatIf = Session.Run("New-FacilityLog -Database $Db -Path \"$Dir/other.csv\" -WhatIf", Vars);
        Assert.Empty(whatIf.ErrorIds);
        Assert.Empty(whatIf.Output);
        Assert.Contains("session logs of facility 'Demo Facility'", Assert.Single(whatIf.WhatIf), StringComparison.Ordinal);
        Assert.False(File.Exists(Home.File("other.csv")));
    }

    [Fact]
    public void Users_piped_from_Get_FacilityUser_narrow_the_file_to_their_logs()
    {
        var result = Session.Run("Get-FacilityUser -Database $Db -Username learner06, learner11 | New-FacilityLog -Database $Db -Path \"$Dir/two.csv\"", Vars);
        Assert.Empty(result.ErrorIds);
        var rows = File.ReadAllLines(Home.File("two.csv")).Skip(1).ToList();
        Assert.NotEmpty(rows);
        Assert.All(rows, r => Assert.Matches("^Demo Facility,learner(06|11),", r));
        Assert.Contains(rows, r => r.StartsWith("Demo Facility,learner11,", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_user_is_UserNotFound_and_no_file_is_written()
    {
        var result = Session.Run("New-FacilityLog -Database $Db -User nobody -Path \"$Dir/none.csv\"", Vars);
        Assert.Equal("UserNotFound," + NewCommand, Assert.Single(result.ErrorIds));
        Assert.False(File.Exists(Home.File("none.csv")));
    }

    [Fact]
    public void An_end_before_the_start_is_InvalidDateRange()
    {
        var result = Session.Run("Get-FacilityLog -Database $Db -StartDate 2026-11-15 -EndDate 2026-11-10", Vars);
        Assert.Equal("InvalidDateRange," + GetCommand, Assert.Single(result.ErrorIds));
    }

    [Fact]
    public void Get_FacilityLog_emits_typed_summary_logs_for_analysis()
    {
        var result = Session.Run("""
            # (Group-Object is not in the test engine's minimal session; count kinds by hand.)
            $class = @(Get-FacilityClass -Database $Db)[0].Name
            $logs = @(Get-FacilityLog -Database $Db -Type Summary -Class $class)
            $kinds = @{}
            foreach ($log in $logs) { $kinds[$log.ContentKind]++ }
            foreach ($kind in $kinds.Keys) { "$kind=$($kinds[$kind])" }
            $logs[0]
            """, Vars);
        Assert.Empty(result.ErrorIds);
        var log = result.Output[^1];
        Assert.Equal("KolibriFacility.Core.Logs.SummaryLog", log.BaseObject.GetType().FullName);
        Assert.IsType<DateTimeOffset>(log.Properties["StartTime"].Value);
        Assert.IsType<TimeSpan>(log.Properties["TimeSpent"].Value);
        Assert.IsType<double>(log.Properties["Progress"].Value);
        var groups = result.Output.Take(result.Output.Count - 1).Select(o => (string)o.BaseObject).ToList();
        Assert.NotEmpty(groups);
        Assert.DoesNotContain(groups, g => g.StartsWith("quiz=", StringComparison.Ordinal));

        var sessions = Session.Run("@(Get-FacilityLog -Database $Db -Type Detail).Count", Vars);
        Assert.Equal(3567, Assert.Single(sessions.Output).BaseObject);
    }

    [Fact]
    public void Ctrl_C_stops_the_export_and_leaves_no_file()
    {
        var sandbox = Session.Run("New-FacilityDatabase -Path \"$Dir/big/db.sqlite3\" -SampleUsers 50 -SampleLogs 200000 -Seed 1", Vars);
        Assert.Empty(sandbox.ErrorIds);
        var started = Session.Host.Progress.Count;
        var (result, stopped) = Session.RunAndStop(
            "New-FacilityLog -Database \"$Dir/big/db.sqlite3\" -Path \"$Dir/out/logs.csv\"", Vars,
            () => Session.Host.Progress.Skip(started).Any(p => p.Activity.StartsWith("Writing the session logs of facility", StringComparison.Ordinal)), TimeSpan.FromSeconds(60));
        Assert.True(stopped);
        Assert.Empty(result.Output);
        Assert.False(File.Exists(Home.File("out/logs.csv")));
        Assert.Empty(Directory.Exists(Home.File("out")) ? Directory.GetFiles(Home.File("out")) : []);
    }

    [Fact]
    public void Sample_logs_need_sample_users()
    {
        var result = Session.Run("New-FacilityDatabase -Path \"$Dir/x.sqlite3\" -SampleLogs 100", Vars);
        Assert.Equal("SampleLogsNeedUsers,KolibriFacility.PowerShell.Commands.NewFacilityDatabaseCommand", Assert.Single(result.ErrorIds));
        Assert.False(File.Exists(Home.File("x.sqlite3")));
    }

    [Fact]
    public void Each_facility_gets_its_own_logs_and_users_of_two_facilities_cannot_share_a_file()
    {
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO kolibriauth_facilitydataset SELECT 'ffffffffffffffffffffffffffffffff', _morango_dirty_bit, _morango_source_id, _morango_partition, description, location,
                    learner_can_edit_username, learner_can_edit_name, learner_can_edit_password, learner_can_sign_up, learner_can_delete_account,
                    learner_can_login_with_no_password, preset, show_download_button_in_learn, registered, extra_fields FROM kolibriauth_facilitydataset;
                INSERT INTO kolibriauth_collection VALUES ('eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 1, 'x', 'ffffffffffffffffffffffffffffffff:allusers-ro', 'North School', 'facility', 'ffffffffffffffffffffffffffffffff', NULL);
                INSERT INTO kolibriauth_facilityuser (password, last_login, id, _morango_dirty_bit, _morango_source_id, _morango_partition, username, full_name,
                    date_joined, dataset_id, facility_id, birth_year, gender, id_number, extra_demographics)
                VALUES ('x', NULL, 'dddddddddddddddddddddddddddddddd', 1, 'y', 'p', 'north1', 'North One', '2026-01-01 00:00:00.000000(UTC)',
                    'ffffffffffffffffffffffffffffffff', 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', '', '', '', NULL);
                UPDATE logger_contentsessionlog SET dataset_id = 'ffffffffffffffffffffffffffffffff', user_id = 'dddddddddddddddddddddddddddddddd' WHERE rowid <= 100;
                """;
            command.ExecuteNonQuery();
        }

        var north = Session.Run("New-FacilityLog -Database $Db -Facility 'North School' -Path \"$Dir/north.csv\"", Vars);
        Assert.Empty(north.ErrorIds);
        var rows = File.ReadAllLines(Home.File("north.csv")).Skip(1).ToList();
        Assert.Equal(100, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("North School,north1,", r, StringComparison.Ordinal));

        var demo = Session.Run("@(Get-FacilityLog -Database $Db).Count", Vars);
        Assert.Equal(3467, Assert.Single(demo.Output).BaseObject);

        var mixed = Session.Run("@(Get-FacilityUser -Database $Db -Username learner06) + @(Get-FacilityUser -Database $Db -Facility 'North School') | New-FacilityLog -Database $Db -Path \"$Dir/mixed.csv\"", Vars);
        Assert.Equal("UsersOfSeveralFacilities," + NewCommand, Assert.Single(mixed.ErrorIds));
        Assert.False(File.Exists(Home.File("mixed.csv")));
    }

    [Fact]
    public void Logs_have_a_default_table_view()
    {
        // The module imported without format errors (ModuleSession checks); the logs' view file is one of its format files.
        var result = Session.Run("(Get-Module KolibriFacility).ExportedFormatFiles | ForEach-Object { [IO.Path]::GetFileName($_) }", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Contains("KolibriFacility.Logs.Format.ps1xml", result.Output.Select(o => o.ToString()));
        var views = System.Xml.Linq.XDocument.Load(Path.Combine(Path.GetDirectoryName(TestPaths.ModuleManifest)!, "KolibriFacility.Logs.Format.ps1xml"))
            .Descendants("TypeName").Select(t => t.Value).Order(StringComparer.Ordinal);
        Assert.Equal(["KolibriFacility.Core.Logs.SessionLog", "KolibriFacility.Core.Logs.SummaryLog"], views);
    }
}
