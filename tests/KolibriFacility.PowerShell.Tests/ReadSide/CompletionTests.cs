using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

public sealed class CompletionTests : HostedModuleTest
{
    private List<string> Complete(string line)
    {
        var input = line.Replace("$Db", "'" + Db.Replace("'", "''", StringComparison.Ordinal) + "'", StringComparison.Ordinal);
        var result = Session.Run("param() $s = $Line; (TabExpansion2 -inputScript $s -cursorColumn $s.Length).CompletionMatches | ForEach-Object CompletionText",
            new Dictionary<string, object?> { ["Line"] = input });
        Assert.Empty(result.ErrorIds);
        return result.Output.Select(o => o.BaseObject.ToString()!).ToList();
    }

    [Fact]
    public void Facility_names_complete_quoted_when_needed()
    {
        Assert.Equal(["'Demo Facility'"], Complete("Get-FacilityUser -Database $Db -Facility De"));
        Assert.Equal(["'Demo Facility'"], Complete("Get-Facility -Database $Db -Name d"));
        Assert.Equal(["'Demo Facility'"], Complete("Export-FacilityUsers -Database $Db -Facility "));
        Assert.Empty(Complete("Get-FacilityClass -Database $Db -Facility zzqq"));
    }

    [Fact]
    public void Usernames_complete_from_the_facility_on_the_command_line()
    {
        Assert.Equal(["ccoach1", "ccoach2", "ccoach3", "ccoach4", "ccoach5", "ccoach6"], Complete("Get-FacilityUser -Database $Db -Username cc"));
        Assert.Equal(["learner10", "learner11", "learner12", "learner13", "learner14", "learner15", "learner16", "learner17", "learner18", "learner19"],
            Complete("Get-FacilityUser -Database $Db -Facility 'Demo Facility' LEARNER1"));
    }

    [Fact]
    public void Class_names_complete_for_Get_FacilityUser_and_Get_FacilityClass()
    {
        Assert.Equal(["'Grade 5 Math'"], Complete("Get-FacilityUser -Database $Db -Class gr"));
        Assert.Equal(["'Class A'", "'Class B'"], Complete("Get-FacilityClass -Database $Db -Name Cl"));
        Assert.Equal(["'Reading Club'"], Complete("Get-FacilityClass -Database $Db 'Rea"));
    }

    [Fact]
    public void Completion_without_a_usable_database_offers_nothing_and_never_fails()
    {
        var missing = Complete("Get-FacilityUser -Database '/nonexistent/db.sqlite3' -Username zzqq");
        Assert.Empty(missing);
    }

    [Fact]
    public void Encoding_names_complete()
    {
        Assert.Equal(["utf8BOM", "utf8NoBOM", "utf8"], Complete("Export-FacilityUsers -Encoding utf8"));
    }
}
