namespace KolibriFacility.HelpGenerator;

/// <summary>What the compiled cmdlet says about itself: the part of the help that must never be written by hand.</summary>
internal sealed record CommandMetadata(
    string Name,
    string Verb,
    string Noun,
    string? HelpUri,
    IReadOnlyList<string> ParameterSets,
    IReadOnlyList<ParameterMetadata> Parameters);

internal sealed record ParameterMetadata(
    string Name,
    TypeName Type,
    bool IsSwitch,
    IReadOnlyList<string> Aliases,
    bool SupportsWildcards,
    IReadOnlyList<string> AcceptedValues,
    IReadOnlyList<ParameterSetEntry> Sets)
{
    public ParameterSetEntry? In(string set) => Sets.FirstOrDefault(s => s.SetName == set || s.SetName == ParameterSetEntry.AllSets);

    /// <summary>Required in the parameters section: only when every set that has the parameter requires it.</summary>
    public bool Mandatory => Sets.All(s => s.Mandatory);

    /// <summary>One position for the parameters section: the shared one, else "named".</summary>
    public string Position => Sets.Select(s => s.PositionText).Distinct().Count() == 1 ? Sets[0].PositionText : "named";

    public string PipelineInput => ParameterSetEntry.DescribePipelineInput(Sets.Any(s => s.ByValue), Sets.Any(s => s.ByPropertyName));
}

internal sealed record ParameterSetEntry(string SetName, bool Mandatory, int? Position, bool ByValue, bool ByPropertyName)
{
    public const string AllSets = "__AllParameterSets";

    public string PositionText => Position?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "named";

    public string PipelineInput => DescribePipelineInput(ByValue, ByPropertyName);

    public static string DescribePipelineInput(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };
}

/// <summary>A parameter's type as help shows it: the short name in syntax (String[]) and the full name (System.String[]).</summary>
internal sealed record TypeName(string Short, string Full, bool IsArray);
