namespace KolibriFacility.Core.Import;

/// <summary>Something the import does that the admin may not expect; it does not stop the import.</summary>
public sealed record ImportWarning
{
    public int? Row { get; init; }

    public string? Username { get; init; }

    public required string Message { get; init; }

    /// <summary>Stable identifier (see <see cref="ImportWarningIds"/>).</summary>
    public required string WarningId { get; init; }

    public override string ToString() => (Row is { } row ? $"Row {row}: " : "") + Message;
}

public static class ImportWarningIds
{
    public const string AssignedToIgnoredForLearner = "AssignedToIgnoredForLearner";
    public const string UnknownUuidMatchedByUsername = "UnknownUuidMatchedByUsername";
    public const string UnknownUuidCreatesUser = "UnknownUuidCreatesUser";
    public const string ImportingUserKeepsAdmin = "ImportingUserKeepsAdmin";
    public const string DeletedUserOwnsLessonsOrQuizzes = "DeletedUserOwnsLessonsOrQuizzes";
    public const string InvalidRowUserProtected = "InvalidRowUserProtected";
}
