namespace KolibriFacility.HelpGenerator;

/// <summary>From the cmdlet assembly and the markdown folder to the MAML file; every mistake found is reported at once.</summary>
internal static class HelpGenerator
{
    public static void Generate(string assembly, IEnumerable<string> references, string markdownFolder, string output)
    {
        IReadOnlyList<CommandMetadata> cmdlets;
        using (var reader = new CmdletMetadataReader(assembly, references))
        {
            cmdlets = reader.ReadCmdlets();
        }

        var pages = new List<MarkdownHelp>();
        var errors = new List<HelpError>();
        foreach (var file in Directory.GetFiles(markdownFolder, "*.md").Order(StringComparer.Ordinal))
        {
            try
            {
                pages.Add(MarkdownHelpReader.Read(file));
            }
            catch (HelpException e)
            {
                errors.AddRange(e.Errors);
            }
        }

        if (errors.Count > 0)
        {
            throw new HelpException(errors);
        }

        var help = HelpComposer.Compose(cmdlets, pages, markdownFolder);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var temporary = output + ".tmp";
        using (var stream = File.Create(temporary))
        {
            MamlWriter.Write(help, stream);
        }

        File.Move(temporary, output, overwrite: true);
    }
}
