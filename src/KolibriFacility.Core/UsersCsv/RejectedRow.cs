using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// A data row that failed a CSV-stage rule: its raw cells (by machine name, as in the file) and what identifies the
/// user it was meant for, so that an import with -SkipInvalidRows never changes or deletes that user, and so that
/// the row can be written back out with its errors beside it.
/// </summary>
public sealed record RejectedRow
{
    public required int Row { get; init; }

    public required int Line { get; init; }

    /// <summary>The raw cells of the row by column machine name (unknown columns by their header text).</summary>
    public required IReadOnlyDictionary<string, string> Cells { get; init; }

    /// <summary>The row's UUID normalised to 32 lowercase hex when it parses, else null.</summary>
    public string? Uuid { get; init; }

    /// <summary>The row's username as written (trimmed), or null when empty.</summary>
    public string? Username { get; init; }

    public required IReadOnlyList<ImportError> Errors { get; init; }
}
