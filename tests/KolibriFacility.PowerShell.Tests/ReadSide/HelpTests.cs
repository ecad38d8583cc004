using System.Text.RegularExpressions;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

/// <summary>
/// The help-coverage tests over every cmdlet of the built module: what Get-Help shows comes from docs/help and the
/// compiled cmdlets (tools/HelpGenerator), and must agree with what PowerShell itself reads from the same cmdlets.
/// </summary>
public sealed partial class HelpTests : HostedModuleTest
{
    private const string HelpBase = "https://github.com/kolibrifacility/KolibriFacility/blob/main/docs/help/";

    /// <summary>The cmdlets the manifest exports (a test below checks the module exports exactly these).</summary>
    public static TheoryData<string> ExportedCmdlets() => new(ExportedCmdletNames());

    private static List<string> ExportedCmdletNames()
    {
        var manifest = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "module", "KolibriFacility.psd1"));
        var list = CmdletsToExportPattern().Match(manifest).Groups[1].Value;
        return QuotedPattern().Matches(list).Select(m => m.Groups[1].Value).ToList();
    }

    [Fact]
    public void The_cmdlets_tested_here_are_every_cmdlet_of_the_module()
    {
        var loaded = Ok("(Get-Command -Module KolibriFacility -CommandType Cmdlet).Name").Output.Select(o => o.ToString()).Order(StringComparer.Ordinal);
        Assert.Equal(ExportedCmdletNames().Order(StringComparer.Ordinal), loaded);
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Every_cmdlet_has_synopsis_description_examples_parameter_descriptions_and_a_HelpUri(string cmdlet)
    {
        var help = Assert.Single(Ok($"Get-Help {cmdlet} -Full").Output);
        var synopsis = help.Properties["Synopsis"].Value?.ToString() ?? "";
        Assert.False(string.IsNullOrWhiteSpace(synopsis));
        Assert.DoesNotContain(cmdlet + " [", synopsis); // generated syntax instead of a synopsis means no help was found

        // The hosted engine has no Out-String; the help object's parts are checked instead of its text.
        var description = Single($"(Get-Help {cmdlet} -Full).description.Text -join ' '");
        Assert.True(description.Length > 40, "description: " + description);
        var examples = Ok($"(Get-Help {cmdlet} -Examples).examples.example | ForEach-Object {{ $_.code }}").Output;
        Assert.True(examples.Count >= 2, cmdlet + " needs at least 2 examples");
        Assert.All(examples, code => Assert.False(string.IsNullOrWhiteSpace(code.ToString())));
        Assert.Contains(examples, code => code.ToString().Contains(cmdlet, StringComparison.Ordinal));

        var undocumented = Ok($$"""
            $command = Get-Command {{cmdlet}}
            foreach ($name in $command.Parameters.Keys) {
                if ($name -in [System.Management.Automation.PSCmdlet]::CommonParameters) { continue }
                $text = (Get-Help {{cmdlet}} -Parameter $name -ErrorAction SilentlyContinue).description.Text -join ''
                if ($text.Trim().Length -lt 10) { $name }
            }
            """).Output.Select(o => o.ToString());
        Assert.Empty(undocumented);

        var helpUri = Single($"(Get-Command {cmdlet}).HelpUri");
        Assert.Equal(HelpBase + cmdlet + ".md", helpUri);
        Assert.True(File.Exists(Path.Combine(TestPaths.RepoRoot, "docs", "help", cmdlet + ".md")), "the HelpUri's page is in the repository");
        // Get-Help -Online opens the first related link with an address.
        Assert.Equal(helpUri, Single($"@((Get-Help {cmdlet} -Full).relatedLinks.navigationLink | Where-Object uri)[0].uri"));
    }

    [Theory]
    [MemberData(nameof(ExportedCmdlets))]
    public void Help_agrees_with_the_parameters_PowerShell_reads_from_the_cmdlet(string cmdlet)
    {
        // For every parameter: aliases, type, required, position and pipeline input as Get-Help shows them, against
        // Get-Command's metadata; one line per disagreement.
        var disagreements = Ok($$"""
            $command = Get-Command {{cmdlet}}
            foreach ($parameter in $command.Parameters.Values) {
                if ($parameter.Name -in [System.Management.Automation.PSCmdlet]::CommonParameters) { continue }
                $help = Get-Help {{cmdlet}} -Parameter $parameter.Name
                $aliases = if ($help.aliases -eq 'none') { '' } else { $help.aliases }
                if ($aliases -ne ($parameter.Aliases -join ', ')) { "$($parameter.Name) aliases: help '$aliases', cmdlet '$($parameter.Aliases -join ', ')'" }
                $type = $parameter.ParameterType
                if ($type.IsGenericType -and $type.GetGenericTypeDefinition() -eq [Nullable`1]) { $type = $type.GenericTypeArguments[0] }
                if ($help.type.name -ne $type.FullName) { "$($parameter.Name) type: help '$($help.type.name)', cmdlet '$($type.FullName)'" }
                $sets = @($parameter.ParameterSets.Values)
                $required = @($sets | Where-Object IsMandatory).Count -eq $sets.Count
                if ($help.required -ne $required.ToString().ToLowerInvariant()) { "$($parameter.Name) required: help '$($help.required)', cmdlet '$required'" }
                $positions = @([Linq.Enumerable]::Distinct([string[]] @($sets | ForEach-Object { if ($_.Position -ge 0) { "$($_.Position)" } else { 'named' } })))
                $position = if ($positions.Count -eq 1) { $positions[0] } else { 'named' }
                if ($help.position -ne $position) { "$($parameter.Name) position: help '$($help.position)', cmdlet '$position'" }
                $byValue = @($sets | Where-Object ValueFromPipeline).Count -gt 0
                $byName = @($sets | Where-Object ValueFromPipelineByPropertyName).Count -gt 0
                if (($help.pipelineInput -match 'ByValue') -ne $byValue -or ($help.pipelineInput -match 'ByPropertyName') -ne $byName) { "$($parameter.Name) pipeline input: help '$($help.pipelineInput)'" }
            }
            """).Output.Select(o => o.ToString());
        Assert.Empty(disagreements);
    }

    [Theory]
    [InlineData("Export-FacilityUsers", "LiteralPath", "PSPath, LP", "None")]
    [InlineData("Export-FacilityUsers", "Encoding", "none", "utf8BOM")]
    [InlineData("Get-FacilityLog", "StartDate", "From", "None")]
    [InlineData("Get-FacilityLog", "EndDate", "To", "None")]
    [InlineData("Export-FacilityUsers", "Force", "none", "False")]
    public void Aliases_and_default_values_are_filled(string cmdlet, string parameter, string aliases, string defaultValue)
    {
        Assert.Equal(aliases, Single($"(Get-Help {cmdlet} -Parameter {parameter}).aliases"));
        Assert.Equal(defaultValue, Single($"(Get-Help {cmdlet} -Parameter {parameter}).defaultValue"));
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

    private string Single(string script) => Ok(script).Output.Single().BaseObject.ToString()!;

    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\(([^)]*)\)")]
    private static partial Regex CmdletsToExportPattern();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedPattern();
}
