using System.Text;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>Hostile or broken users CSV files through the real cmdlets (issue 16, and the -WhatIf preview of issue 12).</summary>
public sealed class HostileCsvTests : HostedModuleTest
{
    private const string Header = "UUID,USERNAME,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO";
    private const string Secret = "Hunter2-Secret";

    private string WriteCsv(string name, params string[] rows)
    {
        var path = Home.File(name);
        File.WriteAllText(path, string.Join("\r\n", [Header, .. rows]) + "\r\n");
        return path;
    }

    private static string Everything(ScriptResult result) => string.Join("\n",
        result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating])
            .SelectMany(e => new[] { e.ToString(), e.Exception.ToString(), e.TargetObject?.ToString() ?? "", e.ErrorDetails?.Message ?? "" })
            .Concat(result.Warnings).Concat(result.Verbose).Concat(result.HostLines)
            .Concat(result.Output.Select(o => o.ToString())));

    [Fact]
    public void No_password_from_the_csv_reaches_any_stream_error_or_plan_only_the_rejected_rows_file()
    {
        var csv = WriteCsv("secrets.csv",
            $"rowx,{Secret}1,Row X,LEARNER,extra",
            $",rowy,{Secret}2,Row, Y,LEARNER,,,,,",
            $",rowz,{Secret}3",
            $",rowlong,{Secret}4{new string('p', 200)},Long,LEARNER,,,,,",
            $",rown,{Secret}5,New Learner,LEARNER,,,,,");
        var rejected = Home.File("rejected.csv");
        var runs = new[]
        {
            $"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -Confirm:$false -Verbose",
            $"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -WhatIf -Verbose",
            $"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -SkipInvalidRows -WhatIf -Verbose",
            $"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -NoBackup -SkipInvalidRows -RejectedRowsPath '{rejected}' -Confirm:$false -Verbose",
            $"$p = Get-FacilityImportPlan -Database $Db -Path '{csv}' -Verbose; $p.Json; $p.RefusalReason; $p.Errors | Out-String",
        };
        foreach (var script in runs)
        {
            var result = Session.Run(script, Vars);
            Assert.True(result.Errors.Count + result.Warnings.Count > 0, script);
            Assert.DoesNotContain(Secret, Everything(result), StringComparison.Ordinal);
        }

        var file = File.ReadAllText(rejected);
        foreach (var i in new[] { 1, 2, 3, 4 })
        {
            Assert.Contains(Secret + i, file, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Rows_the_planner_refuses_are_all_in_the_rejected_rows_file()
    {
        // 300 new users with '*' as the password: valid CSV rows that the planner refuses (NewUserNeedsPassword).
        var csv = WriteCsv("stars.csv", Enumerable.Range(1, 300).Select(i => $",star{i},*,Star {i},LEARNER,,,,,").ToArray());
        var rejected = Home.File("stars-rejected.csv");
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -NoBackup -SkipInvalidRows -RejectedRowsPath '{rejected}' -Confirm:$false", Vars);
        Assert.Empty(result.ErrorIds);
        var lines = File.ReadAllLines(rejected);
        Assert.Equal(301, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.Contains("needs a password", l, StringComparison.Ordinal));
    }

    [Fact]
    public void Thousands_of_invalid_rows_print_the_first_of_each_rule_and_count_the_rest()
    {
        var csv = WriteCsv("flood.csv", Enumerable.Range(1, 500).Select(i => $",flood{i},pw,Flood {i},ROBOT,,,,,").ToArray());
        var result = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -Confirm:$false", Vars);
        Assert.Equal(20, result.Errors.Count(e => e.FullyQualifiedErrorId.StartsWith("UserTypeInvalid,", StringComparison.Ordinal)));
        Assert.Contains(result.Warnings, w => w.StartsWith("480 more UserTypeInvalid error(s) not shown", StringComparison.Ordinal));
        Assert.Contains("500 errors", (result.Terminating ?? result.Errors.Last()).Exception.Message, StringComparison.Ordinal);

        var plan = Session.Run($"(Get-FacilityImportPlan -Database $Db -Path '{csv}' -WarningAction SilentlyContinue).Errors.Count", Vars);
        Assert.Equal(500, plan.Output[0].BaseObject);
    }

    [Fact]
    public void SkipInvalidRows_WhatIf_previews_invalid_rows_as_skipped_warnings_as_the_real_run_reports_them()
    {
        var csv = WriteCsv("mixed.csv", ",okuser,pass123,OK User,LEARNER,,,,,", ",baduser,pass123,Bad User,ROBOT,,,,,");
        var preview = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -SkipInvalidRows -WhatIf; $?", Vars);
        Assert.Empty(preview.ErrorIds);
        Assert.Equal(true, preview.Output.Last().BaseObject);
        var skipped = Assert.Single(preview.Warnings, w => w.StartsWith("Skipped:", StringComparison.Ordinal));

        var real = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -NoDelete -NoBackup -SkipInvalidRows -Confirm:$false", Vars);
        Assert.Empty(real.ErrorIds);
        Assert.Equal(skipped, Assert.Single(real.Warnings, w => w.StartsWith("Skipped:", StringComparison.Ordinal)));
    }

    [Fact]
    public void A_header_only_file_is_refused_even_with_Force_until_the_admin_says_the_file_is_complete()
    {
        var csv = WriteCsv("header-only.csv");
        var before = DbFiles.Sha256(Db);
        var forced = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Force -NoBackup -Confirm:$false", Vars);
        Assert.Equal(["ImportFileLooksTruncated,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand"], forced.ErrorIds);
        Assert.Contains("no data rows", (forced.Terminating ?? forced.Errors.Single()).Exception.Message, StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));

        var confirmed = Session.Run($"Import-FacilityUsers -Database $Db -Path '{csv}' -Force -FileIsComplete -NoBackup -Confirm:$false -PassThru", Vars);
        Assert.Empty(confirmed.ErrorIds);
        Assert.True((int)((dynamic)confirmed.Output[0].Properties["Summary"].Value).UsersDeleted > 40);
    }

    [Fact]
    public async Task A_named_pipe_is_refused_with_an_error_naming_it_instead_of_blocking()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // no named pipes in the file system
        }

        var fifo = Home.File("users.csv");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        var run = Task.Run(() => Session.Run($"Import-FacilityUsers -Database $Db -LiteralPath '{fifo}' -NoDelete -Confirm:$false", Vars));
        var finished = await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(finished == run, "the import blocked on the named pipe");
        var result = await run;
        var text = string.Join("\n", result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]).Select(e => e.Exception.Message));
        Assert.Contains("not a regular file", text, StringComparison.Ordinal);
        Assert.Contains(fifo, text, StringComparison.Ordinal);

        var planned = await Task.Run(() => Session.Run($"(Get-FacilityImportPlan -Database $Db -LiteralPath '{fifo}' -WarningAction SilentlyContinue).Errors | ForEach-Object {{ $_.ErrorId + ': ' + $_.Message }}", Vars));
        Assert.Equal($"NotARegularFile: '{fifo}' is a named pipe, not a regular file, so it is not opened: a users CSV must be a file on disk (save the data to a file first).",
            Assert.Single(planned.Output).ToString());
    }

    [Fact]
    public void A_device_is_refused_as_not_a_regular_file_by_both_cmdlets()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var before = DbFiles.Sha256(Db);
        var imported = Session.Run("Import-FacilityUsers -Database $Db -LiteralPath /dev/zero -NoDelete -NoBackup -Confirm:$false", Vars);
        Assert.Contains("'/dev/zero' is a character device, not a regular file", Everything(imported), StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));

        var planned = Session.Run("(Get-FacilityImportPlan -Database $Db -LiteralPath /dev/zero -WarningAction SilentlyContinue).Errors.ErrorId", Vars);
        Assert.Equal("NotARegularFile", Assert.Single(planned.Output).ToString());
    }
}
