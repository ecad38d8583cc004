namespace KolibriFacility.HelpGenerator.Tests;

/// <summary>What the generator reads from the real KolibriFacility.PowerShell.dll without loading it.</summary>
public sealed class CmdletMetadataReaderTests
{
    [Fact]
    public void Every_cmdlet_of_the_module_is_found_with_its_HelpUri()
    {
        Assert.Equal(
            ["Add-FacilityClassMember", "Export-FacilityUsers", "Get-Facility", "Get-FacilityClass", "Get-FacilityImportPlan", "Get-FacilityLog",
             "Get-FacilityUser", "Get-PortalSyncStatus", "Import-FacilityUsers", "Invoke-PortalSync", "New-FacilityClass", "New-FacilityDatabase",
             "New-FacilityLog", "New-FacilityUser", "Remove-FacilityClass", "Remove-FacilityClassMember", "Remove-FacilityUser",
             "Set-FacilityClass", "Set-FacilityUser"],
            BuiltModule.Cmdlets.Select(c => c.Name));
        Assert.All(BuiltModule.Cmdlets, c => Assert.EndsWith("/docs/help/" + c.Name + ".md", c.HelpUri));
    }

    [Fact]
    public void Parameter_sets_start_with_the_default_and_carry_mandatory_and_position()
    {
        var export = BuiltModule.Cmdlet("Export-FacilityUsers");
        Assert.Equal(["Path", "LiteralPath"], export.ParameterSets);
        var path = Parameter(export, "Path");
        Assert.Equal(0, Assert.Single(path.Sets).Position);
        var literal = Parameter(export, "LiteralPath");
        Assert.True(Assert.Single(literal.Sets).Mandatory);
        Assert.Equal("LiteralPath", literal.Sets[0].SetName);
        Assert.Equal(["PSPath", "LP"], literal.Aliases);
        Assert.False(literal.SupportsWildcards);
    }

    [Fact]
    public void Pipeline_input_types_and_inherited_parameters()
    {
        var export = BuiltModule.Cmdlet("Export-FacilityUsers");
        var input = Parameter(export, "InputObject");
        Assert.Equal("True (ByValue)", input.PipelineInput);
        Assert.Equal(new TypeName("FacilityUser[]", "KolibriFacility.Core.Model.FacilityUser[]", true), input.Type);
        // -Facility and -Database are declared on the base classes.
        Assert.Equal("True (ByPropertyName)", Parameter(export, "Database").PipelineInput);
        Assert.Equal("True (ByPropertyName)", Parameter(export, "Facility").PipelineInput);
        Assert.True(Parameter(export, "Force").IsSwitch);
    }

    [Fact]
    public void The_output_file_parameters_of_a_dynamic_parameter_holder_are_the_cmdlets_own()
    {
        foreach (var name in new[] { "Export-FacilityUsers", "New-FacilityLog" })
        {
            var cmdlet = BuiltModule.Cmdlet(name);
            Assert.Equal(["Path", "LiteralPath"], cmdlet.ParameterSets);
            Assert.Equal(["NoOverwrite"], Parameter(cmdlet, "NoClobber").Aliases);
            Assert.Equal("System.Text.Encoding", Parameter(cmdlet, "Encoding").Type.Full);
            Assert.DoesNotContain(cmdlet.Parameters, p => p.Name == "FileParameters");
        }

        Assert.DoesNotContain(BuiltModule.Cmdlet("Get-FacilityLog").Parameters, p => p.Name is "Path" or "Encoding");
    }

    [Fact]
    public void ShouldProcess_cmdlets_get_WhatIf_and_Confirm_and_others_do_not()
    {
        Assert.Contains(BuiltModule.Cmdlet("Import-FacilityUsers").Parameters, p => p.Name == "WhatIf" && p.Aliases.SequenceEqual(["wi"]));
        Assert.Contains(BuiltModule.Cmdlet("Import-FacilityUsers").Parameters, p => p.Name == "Confirm" && p.Aliases.SequenceEqual(["cf"]));
        Assert.DoesNotContain(BuiltModule.Cmdlet("Get-FacilityUser").Parameters, p => p.Name is "WhatIf" or "Confirm");
    }

    [Fact]
    public void Enum_values_nullable_types_and_aliases()
    {
        var users = BuiltModule.Cmdlet("Get-FacilityUser");
        Assert.Equal(["LEARNER", "CLASS_COACH", "FACILITY_COACH", "ADMIN"], Parameter(users, "UserType").AcceptedValues);
        Assert.Equal(["ClassName"], Parameter(users, "Class").Aliases);
        Assert.True(Parameter(users, "Class").SupportsWildcards);
        var start = Parameter(BuiltModule.Cmdlet("Get-FacilityLog"), "StartDate");
        Assert.Equal(["From"], start.Aliases);
        Assert.Equal("System.DateTime", start.Type.Full);
    }

    private static ParameterMetadata Parameter(CommandMetadata cmdlet, string name) => cmdlet.Parameters.Single(p => p.Name == name);
}
