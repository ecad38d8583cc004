namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// The length limits of users CSV values, in characters (Unicode code points, as Python counts them). Where Kolibri's
/// CSV check and its model disagree, the stricter model limit is used (INTEROP.md 1.6, 1.7).
/// </summary>
public static class UsersCsvLimits
{
    public const int UsernameMaxLength = 30;
    public const int FullNameMaxLength = 120;
    public const int PasswordMaxLength = 128;
    public const int IdentifierMaxLength = 64;
    public const int ClassNameMaxLength = 50;
    // The import issue's rule "birth year > 1900" (Kolibri's format reference); Kolibri 0.17's check itself lets 1900 through.
    public const int FirstBirthYear = 1901;

    /// <summary>The name of the column the rejected-rows file adds; the reader ignores a column with this name.</summary>
    public const string ErrorsColumn = "ERRORS";
}
