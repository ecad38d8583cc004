using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// A data row that failed a CSV-stage rule: its cells as they may be shown and what identifies the user it was meant
/// for, so that an import with -SkipInvalidRows never changes or deletes that user, and where it is in its file, so
/// that the row can be written back out as it was, with its errors beside it.
/// </summary>
public sealed record RejectedRow
{
    public required int Row { get; init; }

    public required int Line { get; init; }

    /// <summary>
    /// The cells of the row by column machine name (unknown columns by their header text). For a row read from a file
    /// they are as they may be shown (<see cref="ShownText"/>): cut after 200 characters and with the password masked,
    /// so that a file of garbage is not held in memory; the rejected-rows file reads the row again from the file.
    /// </summary>
    public required IReadOnlyDictionary<string, string> Cells { get; init; }

    /// <summary>The row's UUID normalised to 32 lowercase hex when it parses, else null.</summary>
    public string? Uuid { get; init; }

    /// <summary>The row's username as written (trimmed), or null when empty.</summary>
    public string? Username { get; init; }

    public required IReadOnlyList<ImportError> Errors { get; init; }

    /// <summary>Where the row is in its file; null for a row not read from a file, whose <see cref="Cells"/> are written back.</summary>
    internal CsvRecordSpan? Source { get; init; }

    /// <summary>
    /// The class names in the row's ENROLLED_IN and ASSIGNED_TO cells uncut (a class named only in an invalid row is
    /// not cleared); null for a row not read from a file, whose <see cref="Cells"/> hold them.
    /// </summary>
    internal IReadOnlyList<string>? ClassNames { get; init; }
}
