namespace KolibriFacility.HelpGenerator.Tests;

public sealed class MarkdownHelpReaderTests
{
    internal const string Page = """
        # Get-Thing

        ## SYNOPSIS

        Gets things.

        ## DESCRIPTION

        First paragraph,
        written over two lines.

        Second paragraph.

        - A list item stays its own paragraph.

        ## EXAMPLES

        ### Example 1: All things

        ```powershell
        Get-Thing
        ```

        Lists every thing.

        ### Example 2: Two lines

        ```powershell
        $things = Get-Thing
        $things.Count
        ```

        Counts them.

        And explains twice.

        ## PARAMETERS

        ### -Name

        The name.

        ```yaml
        Default value: All
        ```

        ### -Force

        Does it anyway.

        ## INPUTS

        ### System.String

        Names.

        ## OUTPUTS

        ### Thing

        One per thing.

        ## NOTES

        A note.

        ## RELATED LINKS

        - [Get-Other](Get-Other.md)
        - [Project](https://example.org/things)
        - about_Things
        """;

    [Fact]
    public void Reads_every_section()
    {
        var help = MarkdownHelpReader.Parse("Get-Thing.md", Page);
        Assert.Equal("Get-Thing", help.Command);
        Assert.Equal("Gets things.", help.Synopsis);
        Assert.Equal(["First paragraph, written over two lines.", "Second paragraph.", "- A list item stays its own paragraph."], help.Description);
        Assert.Equal(2, help.Examples.Count);
        Assert.Equal("Example 1: All things", help.Examples[0].Title);
        Assert.Equal("Get-Thing", help.Examples[0].Code);
        Assert.Equal(["Lists every thing."], help.Examples[0].Remarks);
        Assert.Equal("$things = Get-Thing\n$things.Count", help.Examples[1].Code);
        Assert.Equal(["Counts them.", "And explains twice."], help.Examples[1].Remarks);
        Assert.Equal(["Name", "Force"], help.Parameters.Select(p => p.Name));
        Assert.Equal("All", help.Parameters[0].DefaultValue);
        Assert.Null(help.Parameters[1].DefaultValue);
        Assert.Equal(["The name."], help.Parameters[0].Description);
        Assert.Equal("System.String", Assert.Single(help.Inputs).Name);
        Assert.Equal(["One per thing."], Assert.Single(help.Outputs).Description);
        Assert.Equal(["A note."], help.Notes);
        Assert.Equal([new LinkHelp("Get-Other", null), new LinkHelp("Project", "https://example.org/things"), new LinkHelp("about_Things", null)], help.Links);
    }

    [Fact]
    public void A_parameter_block_may_only_give_the_default_value()
    {
        var page = Page.Replace("Default value: All", "Type: String\nDefault value: All", StringComparison.Ordinal);
        var error = Assert.Single(Assert.Throws<HelpException>(() => MarkdownHelpReader.Parse("Get-Thing.md", page)).Errors);
        Assert.Contains("'Type' of -Name comes from the compiled cmdlet", error.Message);
        Assert.Equal(Line(page, "```yaml"), error.Line);
    }

    [Fact]
    public void Missing_empty_and_unknown_sections_are_errors()
    {
        var page = Page.Replace("## DESCRIPTION", "## SYNTAX", StringComparison.Ordinal)
            .Replace("Gets things.", "", StringComparison.Ordinal);
        var errors = Assert.Throws<HelpException>(() => MarkdownHelpReader.Parse("Get-Thing.md", page)).Errors.Select(e => e.Message).ToList();
        Assert.Contains(errors, m => m.StartsWith("unknown section '## SYNTAX'", StringComparison.Ordinal));
        Assert.Contains("missing section '## DESCRIPTION'", errors);
        Assert.Contains("the SYNOPSIS is empty", errors);
    }

    [Fact]
    public void The_title_must_be_the_file_name_and_an_example_needs_code()
    {
        var page = Page.Replace("```powershell\nGet-Thing\n```\n", "", StringComparison.Ordinal);
        var errors = Assert.Throws<HelpException>(() => MarkdownHelpReader.Parse("Get-Other.md", page)).Errors.Select(e => e.Message).ToList();
        Assert.Contains("the page must start with '# Get-Other' (its file name)", errors);
        Assert.Contains("example 'Example 1: All things' has no code block", errors);
    }

    private static int Line(string text, string start) =>
        text.Split('\n').Select((l, i) => (l, i)).First(x => x.l.StartsWith(start, StringComparison.Ordinal)).i + 1;

}
