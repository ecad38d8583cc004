namespace KolibriFacility.Core.Users;

/// <summary>
/// The one rule for "the same username": Unicode lower case with the Greek final sigma folded as well, as Python's
/// str.casefold() does for every script Kolibri's usernames use (so 'ΣΩΚΡΑΤΗΣ', 'σωκρατης' and 'σωκρατησ' are one
/// name). Kolibri refuses a username that differs from an existing one only by case.
/// </summary>
public sealed class UsernameComparer : StringComparer
{
    public static UsernameComparer Instance { get; } = new();

    private UsernameComparer()
    {
    }

    /// <summary>The folded form two usernames share when they are the same name.</summary>
    public static string Fold(string username) => username.ToLowerInvariant().Replace('\u03C2', '\u03C3');

    public override int Compare(string? x, string? y) =>
        x is null || y is null ? string.CompareOrdinal(x, y) : string.CompareOrdinal(Fold(x), Fold(y));

    public override bool Equals(string? x, string? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && string.Equals(Fold(x), Fold(y), StringComparison.Ordinal));

    public override int GetHashCode(string obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        return Fold(obj).GetHashCode(StringComparison.Ordinal);
    }
}
