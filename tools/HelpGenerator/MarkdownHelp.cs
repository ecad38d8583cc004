namespace KolibriFacility.HelpGenerator;

/// <summary>The written part of one cmdlet's help, as read from its markdown page.</summary>
internal sealed record MarkdownHelp(
    string File,
    string Command,
    string Synopsis,
    IReadOnlyList<string> Description,
    IReadOnlyList<ExampleHelp> Examples,
    IReadOnlyList<ParameterHelp> Parameters,
    IReadOnlyList<TypeHelp> Inputs,
    IReadOnlyList<TypeHelp> Outputs,
    IReadOnlyList<string> Notes,
    IReadOnlyList<LinkHelp> Links);

internal sealed record ExampleHelp(string Title, string Code, IReadOnlyList<string> Remarks);

internal sealed record ParameterHelp(string Name, IReadOnlyList<string> Description, string? DefaultValue, int Line);

internal sealed record TypeHelp(string Name, IReadOnlyList<string> Description);

internal sealed record LinkHelp(string Text, string? Uri);

/// <summary>A mistake in the help, reported the way MSBuild shows errors: file(line): error KFHELP: message.</summary>
internal sealed record HelpError(string File, int Line, string Message)
{
    public override string ToString() => $"{File}({Line}): error KFHELP: {Message}";
}

internal sealed class HelpException(IReadOnlyList<HelpError> errors)
    : Exception(string.Join(Environment.NewLine, errors))
{
    public IReadOnlyList<HelpError> Errors { get; } = errors;
}
