namespace KolibriFacility.HelpGenerator;

/// <summary>One cmdlet's complete help: its metadata and its page, checked against each other.</summary>
internal sealed record CommandHelp(CommandMetadata Metadata, MarkdownHelp Page)
{
    public ParameterHelp Describe(ParameterMetadata parameter) =>
        Page.Parameters.First(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Pairs every cmdlet with its page and enforces the rules that keep them from drifting: a page for every cmdlet and
/// a cmdlet for every page, a description for every parameter, no description of a parameter that does not exist,
/// and a HelpUri on every cmdlet.
/// </summary>
internal static class HelpComposer
{
    public static IReadOnlyList<CommandHelp> Compose(IReadOnlyList<CommandMetadata> cmdlets, IReadOnlyList<MarkdownHelp> pages, string markdownFolder)
    {
        var errors = new List<HelpError>();
        var byName = pages.ToDictionary(p => p.Command, StringComparer.OrdinalIgnoreCase);
        foreach (var extra in pages.Where(p => !cmdlets.Any(c => string.Equals(c.Name, p.Command, StringComparison.OrdinalIgnoreCase))))
        {
            errors.Add(new HelpError(extra.File, 1, $"there is no cmdlet {extra.Command} in the module"));
        }

        var result = new List<CommandHelp>();
        foreach (var cmdlet in cmdlets)
        {
            if (!byName.TryGetValue(cmdlet.Name, out var page))
            {
                errors.Add(new HelpError(Path.Combine(markdownFolder, cmdlet.Name + ".md"), 1, $"cmdlet {cmdlet.Name} has no help page"));
                continue;
            }

            if (string.IsNullOrWhiteSpace(cmdlet.HelpUri))
            {
                errors.Add(new HelpError(page.File, 1, $"cmdlet {cmdlet.Name} has no HelpUri in its [Cmdlet] attribute"));
            }

            foreach (var parameter in cmdlet.Parameters)
            {
                var documented = page.Parameters.FirstOrDefault(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
                if (documented is null)
                {
                    errors.Add(new HelpError(page.File, 1, $"parameter -{parameter.Name} of {cmdlet.Name} has no '### -{parameter.Name}' in PARAMETERS"));
                }
                else if (documented.Description.Count == 0)
                {
                    errors.Add(new HelpError(page.File, documented.Line, $"parameter -{parameter.Name} of {cmdlet.Name} has no description"));
                }
            }

            foreach (var documented in page.Parameters)
            {
                var matches = cmdlet.Parameters.Count(p => string.Equals(p.Name, documented.Name, StringComparison.OrdinalIgnoreCase));
                if (matches == 0)
                {
                    errors.Add(new HelpError(page.File, documented.Line, $"{cmdlet.Name} has no parameter -{documented.Name}"));
                }

                if (page.Parameters.Count(p => string.Equals(p.Name, documented.Name, StringComparison.OrdinalIgnoreCase)) > 1)
                {
                    errors.Add(new HelpError(page.File, documented.Line, $"parameter -{documented.Name} is described twice"));
                }
            }

            result.Add(new CommandHelp(cmdlet, page));
        }

        return errors.Count == 0 ? result : throw new HelpException(errors.Distinct().ToList());
    }
}
