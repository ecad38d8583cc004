using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

/// <summary>Issue 12: what pipeline input binds to which parameter, in the real engine.</summary>
public sealed class PipelineBindingTests : HostedModuleTest
{
    private string ExportCsv()
    {
        var csv = System.IO.Path.Combine(Home.Path, "users.csv");
        Ok($"Export-FacilityUsers -Database $Db -Path '{csv}'");
        return csv;
    }

    [Theory]
    // The bare engine has no Get-Item: a FileInfo made by .NET (no PSPath) binds by its FullName; Pester covers Get-Item.
    [InlineData("[System.IO.FileInfo]::new('{0}') | Import-FacilityUsers -Database $Db -WhatIf")]
    [InlineData("'{0}' | Import-FacilityUsers -Database $Db -WhatIf")]
    [InlineData("[System.IO.DirectoryInfo]::new($Dir).GetFiles('users.csv') | Import-FacilityUsers -Database $Db -WhatIf")]
    public void A_csv_file_or_path_from_the_pipeline_binds_to_the_path_and_previews(string script)
    {
        var csv = ExportCsv();
        var before = DbFiles.Sha256(Db);
        Ok(string.Format(System.Globalization.CultureInfo.InvariantCulture, script, csv));
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void A_plan_and_its_JSON_from_the_pipeline_bind_to_Plan()
    {
        var csv = ExportCsv();
        File.AppendAllText(csv, ",piped,pass123,Piped Learner,LEARNER,,,,,\r\n");
        var applied = Ok($"(Get-FacilityImportPlan -Database $Db -Path '{csv}').Json | Import-FacilityUsers -NoBackup -Confirm:$false -PassThru");
        Assert.Equal(1, ((dynamic)applied.Output[0].Properties["Summary"].Value).UsersCreated);
        var unchanged = Ok($"Get-FacilityImportPlan -Database $Db -Path '{csv}' | Import-FacilityUsers -NoBackup -Confirm:$false -PassThru");
        Assert.Equal(0, ((dynamic)unchanged.Output[0].Properties["Summary"].Value).UsersCreated);
    }

    [Fact]
    public void Rows_with_a_Name_or_Class_column_bind_to_Get_FacilityClass_Name()
    {
        var byName = Ok("[pscustomobject]@{ Name = 'Class B' }, [pscustomobject]@{ Name = 'Reading Club' } | Get-FacilityClass -Database $Db");
        Assert.Equal(["Class B", "Reading Club"], Strings(byName, "Name"));
        var byClass = Ok("[pscustomobject]@{ Class = 'Science 7' } | Get-FacilityClass -Database $Db");
        Assert.Equal(["Science 7"], Strings(byClass, "Name"));
    }

    [Fact]
    public void A_facility_from_the_pipeline_lists_all_its_classes()
    {
        var all = Strings(Ok("Get-FacilityClass -Database $Db"), "Id");
        Assert.Equal(5, all.Count);
        Assert.Equal(all, Strings(Ok("Get-Facility -Database $Db | Get-FacilityClass"), "Id"));
    }
}
