namespace KolibriFacility.Core.UsersCsv;

/// <summary>How <see cref="UsersCsvReader"/> treats a users CSV.</summary>
public sealed record UsersCsvReadOptions
{
    /// <summary>
    /// When true, columns that are not users CSV columns are ignored instead of making the whole file invalid
    /// (an UnknownColumn error).
    /// </summary>
    public bool IgnoreUnknownColumns { get; init; }
}
