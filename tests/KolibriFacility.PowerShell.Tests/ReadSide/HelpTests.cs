using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

public sealed class HelpTests : ReadSideSession
{
    public static TheoryData<string> CmdletsWithHelp()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "module", "en-US", "help"), "*.xml").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileNameWithoutExtension(file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CmdletsWithHelp))]
    public void Get_Help_Full_has_synopsis_description_parameters_and_examples(string cmdlet)
    {
        var result = Ok($"Get-Help {cmdlet} -Full");
        var help = Assert.Single(result.Output);
        var synopsis = help.Properties["Synopsis"].Value?.ToString() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(synopsis));
        Assert.DoesNotContain(cmdlet + " [", synopsis); // generated syntax instead of a synopsis means no help was found

        // The hosted engine has no Out-String; the help object's parts are checked instead of its text.
        var description = Ok($"(Get-Help {cmdlet} -Full).description.Text -join ' '").Output.Single().BaseObject.ToString()!;
        Assert.True(description.Length > 40, "description: " + description);
        var parameters = Ok($"@((Get-Help {cmdlet} -Full).parameters.parameter).Count").Output.Single().BaseObject;
        Assert.True(Convert.ToInt32(parameters, System.Globalization.CultureInfo.InvariantCulture) >= 1);
        var firstExample = Ok($"@((Get-Help {cmdlet} -Full).examples.example)[0].code").Output.Single().BaseObject.ToString()!;
        Assert.Contains("-", firstExample);

        var examples = Ok($"@((Get-Help {cmdlet} -Examples).examples.example).Count").Output.Single().BaseObject;
        Assert.True(Convert.ToInt32(examples, System.Globalization.CultureInfo.InvariantCulture) >= 2);
    }

    [Theory]
    [InlineData("Get-FacilityUser")]
    [InlineData("Get-FacilityClass")]
    [InlineData("Export-FacilityUsers")]
    [InlineData("Get-Facility")]
    public void Every_parameter_of_the_read_cmdlets_is_documented(string cmdlet)
    {
        var result = Ok($$"""
            $documented = (Get-Help {{cmdlet}} -Full).parameters.parameter.name
            (Get-Command {{cmdlet}}).Parameters.Keys | Where-Object { $_ -notin [System.Management.Automation.PSCmdlet]::CommonParameters -and $_ -notin [System.Management.Automation.PSCmdlet]::OptionalCommonParameters -and $_ -notin $documented }
            """);
        Assert.Empty(result.Output);
    }

    [Fact]
    public void The_about_topic_is_in_the_module_and_Get_Help_finds_it()
    {
        var file = Path.Combine(Path.GetDirectoryName(TestPaths.ModuleManifest)!, "en-US", "about_KolibriFacility.help.txt");
        Assert.True(File.Exists(file));
        var text = File.ReadAllText(file);
        foreach (var section in new[] { "CHOOSING THE DATABASE", "CHOOSING THE FACILITY", "THE CMDLETS", "THE USERS CSV", "SAFETY", "SANDBOX" })
        {
            Assert.Contains(section, text);
        }

        var help = Ok("Get-Help about_KolibriFacility");
        Assert.Contains("CHOOSING THE FACILITY", string.Join("\n", help.Output.Select(o => o.ToString())));
    }
}
