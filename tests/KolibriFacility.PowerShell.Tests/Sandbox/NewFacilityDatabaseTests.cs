using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Sandbox;

public sealed class NewFacilityDatabaseTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly ModuleSession session = new();

    public void Dispose()
    {
        session.Dispose();
        folder.Dispose();
    }

    private Dictionary<string, object?> Vars => new() { ["Dir"] = folder.Path };

    [Fact]
    public void Creates_a_sandbox_and_returns_its_facility_which_the_other_cmdlets_read()
    {
        Directory.CreateDirectory(folder.File("demo"));
        var result = session.Run("New-FacilityDatabase -Path \"$Dir/demo\" -FacilityName 'Demo School' -SampleUsers 200 -Seed 3", Vars);
        Assert.Empty(result.ErrorIds);
        var facility = Assert.Single(result.Output);
        Assert.Equal("Demo School", facility.Properties["Name"].Value);
        Assert.Equal(201, facility.Properties["UserCount"].Value);
        Assert.True(File.Exists(folder.File("demo/db.sqlite3")));

        var coaches = session.Run("Get-FacilityUser -Database \"$Dir/demo\" -Facility 'Demo School' -UserType CLASS_COACH,FACILITY_COACH", Vars);
        Assert.Empty(coaches.ErrorIds);
        Assert.NotEmpty(coaches.Output);
    }

    [Fact]
    public void WhatIf_creates_nothing()
    {
        var result = session.Run("New-FacilityDatabase -Path \"$Dir/db.sqlite3\" -SampleUsers 10 -WhatIf", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Output);
        Assert.Single(result.WhatIf);
        Assert.False(File.Exists(folder.File("db.sqlite3")));
    }

    [Fact]
    public void An_existing_file_is_a_FileExists_error_unless_Force()
    {
        File.WriteAllText(folder.File("db.sqlite3"), "not a database");
        var refused = session.Run("New-FacilityDatabase -Path \"$Dir/db.sqlite3\"", Vars);
        Assert.Equal("FileExists,KolibriFacility.PowerShell.Commands.NewFacilityDatabaseCommand", Assert.Single(refused.ErrorIds));
        Assert.Equal("not a database", File.ReadAllText(folder.File("db.sqlite3")));

        var forced = session.Run("New-FacilityDatabase -Path \"$Dir/db.sqlite3\" -Force", Vars);
        Assert.Empty(forced.ErrorIds);
        Assert.Single(forced.Output);
    }
}
