namespace KolibriFacility.Core.Import;

/// <summary>Stable ids of import errors: they are API (error objects, rejected-rows CSV, tests).</summary>
public static class ImportErrorIds
{
    // File level
    public const string EncodingInvalid = "EncodingInvalid";
    public const string FileEmpty = "FileEmpty";
    public const string NotARegularFile = "NotARegularFile";
    public const string MalformedCsv = "MalformedCsv";
    public const string FileTooLarge = "FileTooLarge";
    public const string TooManyRows = "TooManyRows";
    public const string LineTooLong = "LineTooLong";

    // Header level
    public const string MissingColumn = "MissingColumn";
    public const string UnknownColumn = "UnknownColumn";
    public const string DuplicateColumn = "DuplicateColumn";

    // Row level (CSV stage)
    public const string WrongFieldCount = "WrongFieldCount";
    public const string ValueTooLong = "ValueTooLong";
    public const string UuidInvalid = "UuidInvalid";
    public const string UsernameRequired = "UsernameRequired";
    public const string UsernameTooLong = "UsernameTooLong";
    public const string UsernameInvalidCharacters = "UsernameInvalidCharacters";
    public const string UsernameDuplicated = "UsernameDuplicated";
    public const string PasswordRequired = "PasswordRequired";
    public const string PasswordTooLong = "PasswordTooLong";
    public const string FullNameRequired = "FullNameRequired";
    public const string FullNameTooLong = "FullNameTooLong";
    public const string UserTypeInvalid = "UserTypeInvalid";
    public const string GenderInvalid = "GenderInvalid";
    public const string BirthYearInvalid = "BirthYearInvalid";
    public const string IdentifierTooLong = "IdentifierTooLong";
    public const string ClassNameTooLong = "ClassNameTooLong";
    public const string UuidDuplicated = "UuidDuplicated";

    // Planning stage (against the database)
    public const string UserNotInFacility = "UserNotInFacility";
    public const string UsernameTaken = "UsernameTaken";
    public const string NewUserNeedsPassword = "NewUserNeedsPassword";

    // Planning stage of the user and class cmdlets' edits
    public const string UserNotFound = "UserNotFound";
    public const string UserProtected = "UserProtected";
    public const string ClassNotFound = "ClassNotFound";
    public const string ClassNameRequired = "ClassNameRequired";
    public const string ClassNameTaken = "ClassNameTaken";
}
