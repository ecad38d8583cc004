using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

public sealed class ReadSideTests : HostedModuleTest
{

    [Fact]
    public void GetFacility_lists_the_fixture_facility_with_counts()
    {
        var result = Session.Run("Get-Facility -Database $Db", Vars);
        Assert.Empty(result.ErrorIds);
        var facility = Assert.Single(result.Output);
        Assert.Equal("Demo Facility", facility.Properties["Name"].Value);
        Assert.Equal(51, facility.Properties["UserCount"].Value);
        Assert.Equal(5, facility.Properties["ClassCount"].Value);
        Assert.Equal(true, facility.Properties["IsDefault"].Value);
    }

    [Fact]
    public void GetFacilityUser_filters_by_type_and_flags_superusers()
    {
        var result = Session.Run("Get-FacilityUser -Database $Db -UserType CLASS_COACH,FACILITY_COACH", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Equal(10, result.Output.Count);
        Assert.All(result.Output, u => Assert.Contains(u.Properties["UserType"].Value.ToString(), new[] { "CLASS_COACH", "FACILITY_COACH" }));

        var admin = Session.Run("Get-FacilityUser -Database $Db -Username admin", Vars);
        Assert.Equal(true, Assert.Single(admin.Output).Properties["IsSuperuser"].Value);
        Assert.Equal("ADMIN", admin.Output[0].Properties["UserType"].Value.ToString());
    }

    [Fact]
    public void Classes_pipe_into_users_by_property_name()
    {
        var result = Session.Run("Get-FacilityClass -Database $Db -Name 'Grade*' | Get-FacilityUser -Database $Db", Vars);
        Assert.Empty(result.ErrorIds);
        var names = result.Output.Select(o => (string)o.Properties["Username"].Value).ToList();
        Assert.Equal(["fcoach2", "ccoach3", "ccoach6", "learner02", "learner11", "learner14", "learner16", "learner24", "learner33"], names);
    }

    [Fact]
    public void A_literal_name_that_matches_nothing_is_an_ObjectNotFound_error_and_a_wildcard_is_silent()
    {
        var literal = Session.Run("Get-FacilityUser -Database $Db -Username nobody", Vars);
        Assert.Empty(literal.Output);
        Assert.Equal("UserNotFound,KolibriFacility.PowerShell.Commands.GetFacilityUserCommand", Assert.Single(literal.ErrorIds));

        var wildcard = Session.Run("Get-FacilityUser -Database $Db -Username 'nobody*'", Vars);
        Assert.Empty(wildcard.Output);
        Assert.Empty(wildcard.ErrorIds);
    }

    [Fact]
    public void A_missing_database_is_one_clear_terminating_error()
    {
        var result = Session.Run("Get-FacilityUser -Database \"$Dir/nope.sqlite3\"; 'after'", Vars);
        Assert.Contains("DatabaseNotFound,KolibriFacility.PowerShell.Commands.GetFacilityUserCommand", result.ErrorIds);
    }

    [Fact]
    public void Export_matches_Kolibris_own_file_byte_for_byte()
    {
        var result = Session.Run("Export-FacilityUsers -Database $Db -Path \"$Dir/users.csv\" -PassThru", Vars);
        Assert.Empty(result.ErrorIds);
        var file = Assert.IsType<FileInfo>(Assert.Single(result.Output).BaseObject);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("users-export.csv")), File.ReadAllBytes(file.FullName));
    }
}
