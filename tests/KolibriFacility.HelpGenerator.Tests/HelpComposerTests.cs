namespace KolibriFacility.HelpGenerator.Tests;

/// <summary>The rules that fail the build when the pages and the cmdlets disagree.</summary>
public sealed class HelpComposerTests
{
    private static readonly MarkdownHelp Page = MarkdownHelpReader.Parse("Get-Thing.md", MarkdownHelpReaderTests.Page);

    [Fact]
    public void A_page_that_describes_exactly_the_parameters_composes()
    {
        var help = Assert.Single(HelpComposer.Compose([Cmdlet("Name", "Force")], [Page], "docs"));
        Assert.Equal("Name", help.Describe(help.Metadata.Parameters[0]).Name);
    }

    [Fact]
    public void A_parameter_without_a_description_fails()
    {
        var error = Assert.Single(Assert.Throws<HelpException>(() => HelpComposer.Compose([Cmdlet("Name", "Force", "Path")], [Page], "docs")).Errors);
        Assert.Equal(new HelpError("Get-Thing.md", 1, "parameter -Path of Get-Thing has no '### -Path' in PARAMETERS"), error);
    }

    [Fact]
    public void A_description_of_a_parameter_that_does_not_exist_fails_at_its_line()
    {
        var error = Assert.Single(Assert.Throws<HelpException>(() => HelpComposer.Compose([Cmdlet("Name")], [Page], "docs")).Errors);
        Assert.Equal("Get-Thing has no parameter -Force", error.Message);
        Assert.Equal(Page.Parameters[1].Line, error.Line);
        Assert.Equal("### -Force", MarkdownHelpReaderTests.Page.Split('\n')[error.Line - 1]);
    }

    [Fact]
    public void An_empty_parameter_description_fails()
    {
        var page = MarkdownHelpReader.Parse("Get-Thing.md", MarkdownHelpReaderTests.Page.Replace("Does it anyway.", "", StringComparison.Ordinal));
        var error = Assert.Single(Assert.Throws<HelpException>(() => HelpComposer.Compose([Cmdlet("Name", "Force")], [page], "docs")).Errors);
        Assert.Equal("parameter -Force of Get-Thing has no description", error.Message);
    }

    [Fact]
    public void Cmdlets_without_pages_pages_without_cmdlets_and_missing_HelpUri_fail()
    {
        var errors = Assert.Throws<HelpException>(() => HelpComposer.Compose(
            [Cmdlet("Name", "Force") with { HelpUri = null }, Cmdlet() with { Name = "Set-Thing" }],
            [Page, Page with { File = "Remove-Thing.md", Command = "Remove-Thing" }],
            "docs")).Errors.Select(e => e.ToString()).ToList();
        Assert.Contains("Remove-Thing.md(1): error KFHELP: there is no cmdlet Remove-Thing in the module", errors);
        Assert.Contains($"{Path.Combine("docs", "Set-Thing.md")}(1): error KFHELP: cmdlet Set-Thing has no help page", errors);
        Assert.Contains("Get-Thing.md(1): error KFHELP: cmdlet Get-Thing has no HelpUri in its [Cmdlet] attribute", errors);
    }

    private static CommandMetadata Cmdlet(params string[] parameters) => new(
        "Get-Thing",
        "Get",
        "Thing",
        "https://example.org/Get-Thing.md",
        [ParameterSetEntry.AllSets],
        parameters.Select(p => new ParameterMetadata(p, new TypeName("String", "System.String", false), false, [], false, [],
            [new ParameterSetEntry(ParameterSetEntry.AllSets, false, null, false, false)])).ToList());
}
