using System.Text;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

public sealed class ExportFacilityUsersTests : HostedModuleTest
{
    private const string ExportCmd = "KolibriFacility.PowerShell.Commands.ExportFacilityUsersCommand";
    private static readonly byte[] Kolibri = File.ReadAllBytes(TestPaths.Fixture("users-export.csv"));

    private static string[] Lines(string path) => File.ReadAllText(path, Encoding.UTF8).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void Without_a_path_the_file_gets_kolibris_name_in_the_current_location()
    {
        Ok("$null = $ExecutionContext.SessionState.Path.SetLocation($Dir); Export-FacilityUsers -Database $Db");
        Assert.Equal(Kolibri, File.ReadAllBytes(Home.File(DefaultExportName)));
    }

    [Fact]
    public void A_folder_path_gets_kolibris_file_name_inside_it_and_PassThru_returns_the_FileInfo()
    {
        Directory.CreateDirectory(Home.File("out"));
        var result = Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/out\" -PassThru");
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(Path.Combine(Home.Path, "out", DefaultExportName), file.FullName);
        Assert.Equal(Kolibri, File.ReadAllBytes(file.FullName));
        Assert.Empty(Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/out/again.csv\"").Output);
    }

    [Fact]
    public void Paths_go_through_providers_and_LiteralPath_keeps_wildcard_characters()
    {
        Ok("""
            $fileSystem = $ExecutionContext.SessionState.Provider.GetOne('FileSystem')
            $null = $ExecutionContext.SessionState.Drive.New([System.Management.Automation.PSDriveInfo]::new('KfOut', $fileSystem, $Dir, '', $null), 'global')
            Export-FacilityUsers -Database $Db -Path KfOut:/drive.csv
            """);
        Assert.Equal(Kolibri, File.ReadAllBytes(Home.File("drive.csv")));

        Ok("Export-FacilityUsers -Database $Db -LiteralPath \"$Dir/users[2026].csv\"");
        Assert.Equal(Kolibri, File.ReadAllBytes(Home.File("users[2026].csv")));

        var wildcard = Run("Export-FacilityUsers -Database $Db -Path \"$Dir/missing[0-9].csv\"");
        Assert.Equal(["InvalidPath," + ExportCmd], wildcard.ErrorIds);

        var provider = Run("Export-FacilityUsers -Database $Db -Path Env:/KfExport");
        Assert.Equal(["InvalidPath," + ExportCmd], provider.ErrorIds);
        Assert.Null(Environment.GetEnvironmentVariable("KfExport"));
    }

    [Fact]
    public void NoClobber_keeps_an_existing_file_and_Force_overwrites_a_read_only_one()
    {
        var target = Home.File("users.csv");
        File.WriteAllText(target, "keep me");
        var refused = Run("Export-FacilityUsers -Database $Db -Path \"$Dir/users.csv\" -NoClobber");
        Assert.Equal(["FileExists," + ExportCmd], refused.ErrorIds);
        Assert.Equal("keep me", File.ReadAllText(target));

        Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/users.csv\"");
        Assert.Equal(Kolibri, File.ReadAllBytes(target));

        File.WriteAllText(target, "read only");
        File.SetAttributes(target, FileAttributes.ReadOnly);
        var readOnly = Run("Export-FacilityUsers -Database $Db -Path \"$Dir/users.csv\"");
        Assert.Equal(["FileWriteFailed," + ExportCmd], readOnly.ErrorIds);
        Assert.Equal("read only", File.ReadAllText(target));

        Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/users.csv\" -Force");
        Assert.Equal(Kolibri, File.ReadAllBytes(target));
        Assert.Empty(Directory.GetFiles(Home.Path, "*.tmp"));
    }

    [Fact]
    public void Force_over_an_owner_only_file_keeps_it_owner_only_and_a_symbolic_link_is_written_through()
    {
        if (OperatingSystem.IsWindows()) return;
        const UnixFileMode ownerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        var target = Home.File("private.csv");
        File.WriteAllText(target, "old");
        File.SetUnixFileMode(target, ownerOnly);
        Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/private.csv\" -Force");
        Assert.Equal(Kolibri, File.ReadAllBytes(target));
        Assert.Equal(ownerOnly, File.GetUnixFileMode(target));

        var link = Home.File("link.csv");
        File.WriteAllText(target, "old");
        File.CreateSymbolicLink(link, target);
        Ok("Export-FacilityUsers -Database $Db -LiteralPath \"$Dir/link.csv\"");
        Assert.Equal(target, new FileInfo(link).LinkTarget);
        Assert.Equal(Kolibri, File.ReadAllBytes(target));
    }

    [Theory]
    [InlineData("utf8NoBOM", 3, null)]
    [InlineData("utf8", 3, null)]
    [InlineData("utf8BOM", 0, null)]
    [InlineData("unicode", -1, "utf-16")]
    [InlineData("65001", 0, null)]
    public void Encoding_changes_only_the_bytes_of_the_encoding(string encoding, int skipBom, string? decodeAs)
    {
        Ok($"Export-FacilityUsers -Database $Db -Path \"$Dir/enc.csv\" -Encoding {encoding}");
        var bytes = File.ReadAllBytes(Home.File("enc.csv"));
        if (decodeAs is null)
        {
            Assert.Equal(Kolibri[skipBom..], bytes);
        }
        else
        {
            Assert.Equal(new byte[] { 0xFF, 0xFE }, bytes[..2]);
            Assert.Equal(Encoding.UTF8.GetString(Kolibri[3..]), Encoding.GetEncoding(decodeAs).GetString(bytes[2..]));
        }
    }

    [Fact]
    public void IncludeAdmins_adds_the_admins_as_ADMIN_rows()
    {
        Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/all.csv\" -IncludeAdmins");
        var lines = Lines(Home.File("all.csv"));
        Assert.Equal(52, lines.Length);
        Assert.Equal(["admin", "admin2", "admin3", "principal"], lines.Where(l => l.Contains(",ADMIN,", StringComparison.Ordinal)).Select(l => l.Split(',')[1]));
    }

    [Fact]
    public void Piped_users_are_exported_with_their_database_and_admins_are_left_out_with_a_warning()
    {
        var result = Ok("Get-FacilityUser -Database $Db -Class 'Class A' | Export-FacilityUsers -Path \"$Dir/classA.csv\"");
        var lines = Lines(Home.File("classA.csv"));
        Assert.Equal(Encoding.UTF8.GetString(Kolibri).Split("\r\n")[0].TrimStart('\uFEFF'), lines[0].TrimStart('\uFEFF'));
        Assert.Equal(1 + 9 + 3, lines.Length); // admin3 coaches Class A but is an admin
        Assert.Contains(result.Warnings, w => w.Contains("admin3", StringComparison.Ordinal) && w.Contains("-IncludeAdmins", StringComparison.Ordinal));
        var kolibriLines = Encoding.UTF8.GetString(Kolibri).Split("\r\n");
        Assert.All(lines.Skip(1), l => Assert.Contains(l, kolibriLines));

        Ok("Get-FacilityUser -Database $Db -Username admin3 | Export-FacilityUsers -Path \"$Dir/admin.csv\" -IncludeAdmins");
        Assert.Equal(2, Lines(Home.File("admin.csv")).Length);

        Ok("$u = Get-FacilityUser -Database $Db learner01, learner02; Export-FacilityUsers -InputObject $u -Path \"$Dir/two.csv\"");
        Assert.Equal(3, Lines(Home.File("two.csv")).Length);
    }

    [Fact]
    public void An_empty_pipeline_writes_the_header_only_never_the_whole_facility()
    {
        var result = Ok("Get-FacilityUser -Database $Db -Username 'nobody*' | Export-FacilityUsers -Database $Db -Path \"$Dir/none.csv\"");
        Assert.Single(Lines(Home.File("none.csv")));
        Assert.Contains(result.Warnings, w => w.Contains("header row only", StringComparison.Ordinal));

        Ok("@() | Export-FacilityUsers -Database $Db -Path \"$Dir/none2.csv\"");
        Assert.Single(Lines(Home.File("none2.csv")));

        // Nothing to read, so no database is needed (none is given to Export, and there is no ~/.kolibri here).
        Ok("Get-FacilityUser -Database $Db -Username 'nobody*' | Export-FacilityUsers -Path \"$Dir/none3.csv\"");
        Assert.Single(Lines(Home.File("none3.csv")));
    }

    [Fact]
    public void Export_reports_progress_and_completes_it()
    {
        var result = Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/progress.csv\"");
        var records = result.Progress.Where(p => p.Activity == "Exporting the users of facility 'Demo Facility' to progress.csv").ToList();
        Assert.NotEmpty(records);
        Assert.Contains(records, p => p.RecordType == System.Management.Automation.ProgressRecordType.Processing && p.StatusDescription.Contains(" of 51 users", StringComparison.Ordinal));
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, records[^1].RecordType);
    }

    [Fact]
    public void WhatIf_writes_nothing_and_says_what_it_would_do()
    {
        var result = Ok("Export-FacilityUsers -Database $Db -Path \"$Dir/whatif.csv\" -WhatIf -PassThru");
        Assert.Empty(result.Output);
        var line = Assert.Single(result.WhatIf);
        Assert.Contains("whatif.csv", line);
        Assert.Contains("Demo Facility", line);
        Assert.Empty(Directory.GetFiles(Home.Path, "*.csv"));

        Ok("Get-FacilityUser -Database $Db | Export-FacilityUsers -Path \"$Dir/whatif2.csv\" -WhatIf");
        Assert.Empty(Directory.GetFiles(Home.Path, "*.csv"));
    }

    [Fact]
    public void The_database_file_is_unchanged_by_reading_and_exporting()
    {
        var before = DbFiles.Sha256(Db);
        Ok("$null = Get-Facility -Database $Db; $null = Get-FacilityClass -Database $Db | Get-FacilityUser; Export-FacilityUsers -Database $Db -Path \"$Dir/u.csv\"");
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void A_different_facility_is_exported_under_its_own_name()
    {
        AddFacility("0123456789abcdef0123456789abcdef", "Second: School");
        var result = Ok("Export-FacilityUsers -Database $Db -Facility 'Second: School' -Path $Dir -PassThru");
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal("Second_ School_0123_users.csv", file.Name);
        Assert.Single(Lines(file.FullName));
    }
}
