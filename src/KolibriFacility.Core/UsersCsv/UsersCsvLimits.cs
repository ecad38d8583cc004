namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// The length limits of users CSV values, in characters (Unicode code points, as Python counts them). Where Kolibri's
/// CSV check and its model disagree, the stricter model limit is used (docs/Kolibri.md, Row checks and Matching and passwords).
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

    // Guards against hostile or broken input, far above anything Kolibri itself accepts (its longest value is a
    // 128-character password; its own export of a large facility is a few MB), so that a wrong file (a disk image, a
    // log, /dev/zero) is refused with a clear error instead of filling the memory of a small device.

    /// <summary>The largest users CSV read: 64 MiB (a 100,000-user export is about 15 MB).</summary>
    public const long MaxFileBytes = 64L * 1024 * 1024;

    /// <summary>The most data rows read (valid or not); reading stops with a TooManyRows error after that.</summary>
    public const int MaxDataRows = 250_000;

    /// <summary>
    /// The longest line (a row's record, line breaks inside quoted values included), in bytes of UTF-8: 1 MiB. Reading
    /// stops with a LineTooLong error at a longer one, so that one line of garbage (or a double quote never closed)
    /// is not held in memory whole.
    /// </summary>
    public const int MaxLineBytes = 1 << 20;

    /// <summary>The longest cell, in characters; a longer one is a ValueTooLong error and the row is not checked further.</summary>
    public const int MaxValueLength = 10_000;

    /// <summary>How much of a value an error quotes (in Value and in its message); the rest is cut and marked with "...".</summary>
    public const int MaxValueShown = 200;

    /// <summary>The name of the column the rejected-rows file adds; the reader ignores a column with this name.</summary>
    public const string ErrorsColumn = "ERRORS";
}
