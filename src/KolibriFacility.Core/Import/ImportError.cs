using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Core.Import;

/// <summary>
/// One problem found in a users CSV (file, header or row) or while planning an import. Errors are data: the planner
/// collects every one of them before anything is written.
/// </summary>
public sealed record ImportError
{
    /// <summary>Data row as Kolibri counts it (1 = first row after the header; blank lines not counted). Null for file and header errors.</summary>
    public int? Row { get; init; }

    /// <summary>Physical line of the file (1 = header line) where the row starts. Null when not tied to a line.</summary>
    public int? Line { get; init; }

    /// <summary>The column's machine name (USERNAME, ENROLLED_IN, ...), or null for file-level errors.</summary>
    public string? Column { get; init; }

    private readonly string? value;

    /// <summary>
    /// The offending value as it was in the file (before trimming), cut after 200 characters; never a password
    /// (a password is shown as a count of characters, and quoted records have it masked). Null when there is none.
    /// </summary>
    public string? Value { get => value; init => this.value = value is null ? null : ShownText.Cut(value); }

    /// <summary>What is wrong and which rule it breaks, in plain English.</summary>
    public required string Message { get; init; }

    /// <summary>Stable identifier of the rule (see <see cref="ImportErrorIds"/>).</summary>
    public required string ErrorId { get; init; }

    /// <summary>The row's username, when the row has one.</summary>
    public string? Username { get; init; }

    public override string ToString() =>
        (Row is { } row ? $"Row {row}" + (Line is { } line ? $" (line {line})" : "") : "File")
        + (Column is null ? "" : $", column {Column}")
        + (Value is null ? "" : $", value '{Value}'")
        + ": " + Message;
}
