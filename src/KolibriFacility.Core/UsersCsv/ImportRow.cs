using KolibriFacility.Core.Model;

using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// One data row of a users CSV that passed every CSV-stage rule, with its values normalised (trimmed, upper-cased
/// enums, Kolibri's formula-injection apostrophe removed). A null attribute means "the column is not in the file":
/// the import leaves that attribute of an existing user as it is.
/// </summary>
public sealed record ImportRow
{
    /// <summary>Data row as Kolibri counts it (1 = first row after the header).</summary>
    public required int Row { get; init; }

    /// <summary>Physical line of the file where the row starts (1 = header line).</summary>
    public required int Line { get; init; }

    /// <summary>The user's database id as 32 lowercase hex characters, or null when the cell is empty or the column is absent.</summary>
    public string? Uuid { get; init; }

    public required string Username { get; init; }

    /// <summary>The clear-text password, or "*" to keep the existing one.</summary>
    public required string Password { get; init; }

    public required string FullName { get; init; }

    public required UserType UserType { get; init; }

    /// <summary>Kolibri's id_number, upper-cased as Kolibri stores it; null when the column is absent.</summary>
    public string? Identifier { get; init; }

    /// <summary>A year, or "" (empty / DEFERRED); null when the column is absent.</summary>
    public string? BirthYear { get; init; }

    /// <summary>MALE, FEMALE, NOT_SPECIFIED or "" (empty / DEFERRED); null when the column is absent.</summary>
    public string? Gender { get; init; }

    /// <summary>Class names (trimmed, empty pieces dropped, first spelling kept); null when the column is absent.</summary>
    public IReadOnlyList<string>? EnrolledIn { get; init; }

    /// <summary>Class names the user coaches; null when the column is absent.</summary>
    public IReadOnlyList<string>? AssignedTo { get; init; }

    /// <summary>Where the row is in its file: the rejected-rows file reads it again from there when the planner refuses the row. Null for rows not read from a file.</summary>
    internal CsvRecordSpan? Source { get; init; }

    public bool KeepsPassword => Password == UsersCsvFormat.KeepPassword;
}
