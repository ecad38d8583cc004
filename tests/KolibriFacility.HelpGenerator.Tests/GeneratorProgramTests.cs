using System.Diagnostics;
using System.Xml.Linq;
using KolibriFacility.Tests;

namespace KolibriFacility.HelpGenerator.Tests;

/// <summary>The generator run as the build runs it (GenerateHelp's Exec): on the real pages, and on broken copies.</summary>
public sealed class GeneratorProgramTests : IDisposable
{
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private static readonly string Pages = Path.Combine(TestPaths.RepoRoot, "docs", "help");
    private readonly TempFolder temp = new();

    [Fact]
    public void The_real_pages_give_one_command_per_cmdlet_with_metadata_and_separate_examples()
    {
        var output = temp.File("help.xml");
        var (exit, errors) = Run(Pages, output);
        Assert.True(exit == 0, errors);

        var commands = XDocument.Load(output).Root!.Elements(Command + "command").ToList();
        Assert.Equal(BuiltModule.Cmdlets.Select(c => c.Name), commands.Select(NameOf));
        foreach (var command in commands)
        {
            var page = File.ReadAllText(Path.Combine(Pages, NameOf(command) + ".md"));
            var examples = command.Descendants(Command + "example").ToList();
            Assert.Equal(ExampleHeadings(page), examples.Count);
            // Each example ends with an empty paragraph: the blank line between it and the next title.
            Assert.All(examples, e => Assert.Equal("", e.Element(Dev + "remarks")!.Elements(Maml + "para").Last().Value));
            var firstLink = command.Descendants(Maml + "navigationLink").First();
            Assert.Equal(BuiltModule.Cmdlet(NameOf(command)).HelpUri, firstLink.Element(Maml + "uri")!.Value);
        }

        var export = commands.Single(c => NameOf(c) == "Export-FacilityUsers");
        var syntax = export.Descendants(Command + "syntaxItem").ToList();
        Assert.Equal(2, syntax.Count);
        var literal = syntax[1].Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "LiteralPath");
        Assert.Equal("true", literal.Attribute("required")!.Value);
        Assert.Equal("PSPath, LP", literal.Attribute("aliases")!.Value);
        Assert.DoesNotContain(syntax[0].Elements(Command + "parameter"), p => p.Element(Maml + "name")!.Value == "LiteralPath");
        var encoding = export.Element(Command + "parameters")!.Elements(Command + "parameter").Single(p => p.Element(Maml + "name")!.Value == "Encoding");
        Assert.Equal("utf8BOM", encoding.Element(Dev + "defaultValue")!.Value);
    }

    [Fact]
    public void A_renamed_parameter_fails_with_both_mistakes_in_MSBuild_format_and_writes_nothing()
    {
        var pages = CopyPages();
        var page = Path.Combine(pages, "Export-FacilityUsers.md");
        var text = File.ReadAllText(page);
        File.WriteAllText(page, text.Replace("### -Force\n", "### -Bogus\n", StringComparison.Ordinal));
        var output = temp.File("help.xml");

        var (exit, errors) = Run(pages, output);

        Assert.Equal(1, exit);
        var line = text.Split('\n').ToList().IndexOf("### -Force") + 1;
        Assert.Contains($"{page}(1): error KFHELP: parameter -Force of Export-FacilityUsers has no '### -Force' in PARAMETERS", errors);
        Assert.Contains($"{page}({line}): error KFHELP: Export-FacilityUsers has no parameter -Bogus", errors);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void A_page_for_a_cmdlet_that_does_not_exist_fails()
    {
        var pages = CopyPages();
        var extra = Path.Combine(pages, "Get-Facilities.md");
        File.WriteAllText(extra, File.ReadAllText(Path.Combine(pages, "Get-Facility.md")).Replace("# Get-Facility\n", "# Get-Facilities\n", StringComparison.Ordinal));
        var (exit, errors) = Run(pages, temp.File("help.xml"));
        Assert.Equal(1, exit);
        Assert.Contains($"{extra}(1): error KFHELP: there is no cmdlet Get-Facilities in the module", errors);
    }

    public void Dispose() => temp.Dispose();

    private string CopyPages()
    {
        var folder = Path.Combine(temp.Path, "pages");
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(Pages, "*.md"))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        return folder;
    }

    private static (int Exit, string Errors) Run(string pages, string output)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var argument in new[] { BuiltModule.GeneratorAssembly, BuiltModule.CmdletAssembly, BuiltModule.ReferencesFile, pages, output })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, errors.Result);
    }

    private static string NameOf(XElement command) => command.Element(Command + "details")!.Element(Command + "name")!.Value;

    private static int ExampleHeadings(string page)
    {
        var lines = page.Split('\n');
        var start = Array.IndexOf(lines, "## EXAMPLES");
        return lines.Skip(start + 1).TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal)).Count(l => l.StartsWith("### ", StringComparison.Ordinal));
    }
}
