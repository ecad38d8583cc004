using System.Text.RegularExpressions;
using Markdig;
using Markdig.Syntax;

namespace KolibriFacility.HelpGenerator;

/// <summary>
/// Reads one cmdlet page of docs/help (platyPS's section layout: # Name, ## SYNOPSIS, ## DESCRIPTION, ## EXAMPLES with
/// ### titles and a code block each, ## PARAMETERS with ### -Name, ## INPUTS, ## OUTPUTS, ## NOTES, ## RELATED LINKS).
/// Markdig finds the blocks; their text goes into the help as written (help is plain text, so no markdown is rendered).
/// Everything the cmdlet's metadata knows (syntax, types, positions, aliases...) must not be written here.
/// </summary>
internal sealed partial class MarkdownHelpReader
{
    private static readonly string[] KnownSections = ["SYNOPSIS", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS"];
    private static readonly string[] RequiredSections = ["SYNOPSIS", "DESCRIPTION", "EXAMPLES", "PARAMETERS"];
    private const string DefaultValueKey = "Default value";

    private readonly string file;
    private readonly string source;
    private readonly List<HelpError> errors = [];

    private MarkdownHelpReader(string file, string source)
    {
        this.file = file;
        this.source = source.Replace("\r\n", "\n", StringComparison.Ordinal);
    }

    public static MarkdownHelp Read(string file) => Parse(file, File.ReadAllText(file));

    public static MarkdownHelp Parse(string file, string markdown) => new MarkdownHelpReader(file, markdown).Parse();

    private MarkdownHelp Parse()
    {
        var blocks = Markdown.Parse(source, trackTrivia: false).ToList();
        var command = "";
        var sections = new Dictionary<string, List<Block>>(StringComparer.Ordinal);
        List<Block>? current = null;
        foreach (var block in blocks)
        {
            if (block is HeadingBlock { Level: 1 } title)
            {
                command = Text(title);
                current = null;
            }
            else if (block is HeadingBlock { Level: 2 } heading)
            {
                var name = Text(heading);
                if (!KnownSections.Contains(name))
                {
                    Error(heading, $"unknown section '## {name}' (known: {string.Join(", ", KnownSections)})");
                }

                if (!sections.TryAdd(name, current = []))
                {
                    Error(heading, $"section '## {name}' appears twice");
                }
            }
            else if (current is null)
            {
                Error(block, "text outside a ## section");
            }
            else
            {
                current.Add(block);
            }
        }

        var expected = Path.GetFileNameWithoutExtension(file);
        if (command != expected)
        {
            errors.Add(new HelpError(file, 1, $"the page must start with '# {expected}' (its file name)"));
        }

        foreach (var missing in RequiredSections.Where(s => !sections.ContainsKey(s)))
        {
            errors.Add(new HelpError(file, 1, $"missing section '## {missing}'"));
        }

        List<Block> Section(string name) => sections.TryGetValue(name, out var found) ? found : [];
        var synopsis = string.Join(" ", Paragraphs(Section("SYNOPSIS")));
        if (sections.ContainsKey("SYNOPSIS") && synopsis.Length == 0)
        {
            errors.Add(new HelpError(file, 1, "the SYNOPSIS is empty"));
        }

        var help = new MarkdownHelp(
            file,
            command,
            synopsis,
            Paragraphs(Section("DESCRIPTION")),
            Examples(Section("EXAMPLES")),
            Parameters(Section("PARAMETERS")),
            Types(Section("INPUTS")),
            Types(Section("OUTPUTS")),
            Paragraphs(Section("NOTES")),
            Links(Section("RELATED LINKS")));
        if (sections.ContainsKey("DESCRIPTION") && help.Description.Count == 0)
        {
            errors.Add(new HelpError(file, 1, "the DESCRIPTION is empty"));
        }

        if (sections.ContainsKey("EXAMPLES") && help.Examples.Count == 0)
        {
            errors.Add(new HelpError(file, 1, "EXAMPLES has no '### Example' heading"));
        }

        return errors.Count == 0 ? help : throw new HelpException(errors);
    }

    private List<ExampleHelp> Examples(List<Block> blocks) =>
        Subsections(blocks).Select(s =>
        {
            var code = s.Blocks.OfType<FencedCodeBlock>().Select(c => c.Lines.ToString().Replace("\r\n", "\n", StringComparison.Ordinal)).ToList();
            if (code.Count == 0)
            {
                Error(s.Heading, $"example '{s.Title}' has no code block");
            }

            return new ExampleHelp(s.Title, string.Join("\n", code), Paragraphs(s.Blocks.Where(b => b is not FencedCodeBlock)));
        }).ToList();

    private List<ParameterHelp> Parameters(List<Block> blocks) =>
        Subsections(blocks).Select(s =>
        {
            if (!s.Title.StartsWith('-'))
            {
                Error(s.Heading, $"a parameter heading is '### -Name', not '### {s.Title}'");
            }

            string? defaultValue = null;
            foreach (var yaml in s.Blocks.OfType<FencedCodeBlock>())
            {
                foreach (var line in yaml.Lines.ToString().Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0))
                {
                    var colon = line.IndexOf(':', StringComparison.Ordinal);
                    var key = colon < 0 ? line : line[..colon].Trim();
                    if (key == DefaultValueKey)
                    {
                        defaultValue = line[(colon + 1)..].Trim();
                    }
                    else
                    {
                        Error(yaml, $"'{key}' of {s.Title} comes from the compiled cmdlet; only '{DefaultValueKey}:' is written here");
                    }
                }
            }

            return new ParameterHelp(s.Title.TrimStart('-'), Paragraphs(s.Blocks.Where(b => b is not FencedCodeBlock)), defaultValue, s.Heading.Line + 1);
        }).ToList();

    private List<TypeHelp> Types(List<Block> blocks) =>
        Subsections(blocks).Select(s => new TypeHelp(s.Title, Paragraphs(s.Blocks))).ToList();

    private List<LinkHelp> Links(List<Block> blocks)
    {
        var links = new List<LinkHelp>();
        foreach (var block in blocks)
        {
            if (block is not ListBlock list)
            {
                Error(block, "RELATED LINKS is a list: '- [Text](address)' or '- Text'");
                continue;
            }

            foreach (var item in list.OfType<ListItemBlock>())
            {
                var text = Joined(item).TrimStart('-', '*', '+').Trim();
                var link = LinkPattern().Match(text);
                links.Add(link.Success
                    ? new LinkHelp(link.Groups["text"].Value, Uri.TryCreate(link.Groups["uri"].Value, UriKind.Absolute, out var uri) && uri.Scheme.StartsWith("http", StringComparison.Ordinal) ? uri.ToString() : null)
                    : new LinkHelp(text, null));
            }
        }

        return links;
    }

    /// <summary>The ### subsections of a section; text before the first ### is an error.</summary>
    private List<(HeadingBlock Heading, string Title, List<Block> Blocks)> Subsections(List<Block> blocks)
    {
        var result = new List<(HeadingBlock, string, List<Block>)>();
        foreach (var block in blocks)
        {
            if (block is HeadingBlock { Level: 3 } heading)
            {
                result.Add((heading, Text(heading), []));
            }
            else if (result.Count == 0)
            {
                Error(block, "text before the first ### heading of this section");
            }
            else
            {
                result[^1].Item3.Add(block);
            }
        }

        return result;
    }

    /// <summary>Paragraphs as help paragraphs (lines joined); list items and code blocks keep their lines.</summary>
    private List<string> Paragraphs(IEnumerable<Block> blocks)
    {
        var paragraphs = new List<string>();
        foreach (var block in blocks)
        {
            switch (block)
            {
                case ParagraphBlock:
                    paragraphs.Add(Joined(block));
                    break;
                case ListBlock list:
                    paragraphs.AddRange(list.OfType<ListItemBlock>().Select(Joined));
                    break;
                case FencedCodeBlock code:
                    paragraphs.Add(code.Lines.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
                    break;
                case HeadingBlock heading:
                    Error(block, $"unexpected heading '{Text(heading)}' here");
                    break;
                default:
                    Error(block, $"unsupported markdown ({block.GetType().Name}) in help text");
                    break;
            }
        }

        return paragraphs;
    }

    /// <summary>A block's lines as one help paragraph: help wraps text itself.</summary>
    private string Joined(Block block) => string.Join(" ", Raw(block).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0));

    private string Text(HeadingBlock heading) => Raw(heading).TrimStart('#').Trim();

    private string Raw(Block block) => source.Substring(block.Span.Start, block.Span.Length);

    private void Error(Block block, string message) => errors.Add(new HelpError(file, block.Line + 1, message));

    [GeneratedRegex(@"^\[(?<text>[^\]]+)\]\((?<uri>[^)]+)\)$")]
    private static partial Regex LinkPattern();
}
