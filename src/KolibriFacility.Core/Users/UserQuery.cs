namespace KolibriFacility.Core.Users;

/// <summary>Which users of a facility to read. Null members mean "no restriction".</summary>
public sealed record UserQuery
{
    /// <summary>Only users enrolled in or coaching one of these classroom ids.</summary>
    public IReadOnlyCollection<string>? ClassIds { get; init; }

    /// <summary>Only users with one of these exact usernames (case-insensitive, as Kolibri matches them).</summary>
    public IReadOnlyCollection<string>? Usernames { get; init; }

    public static readonly UserQuery All = new();
}
