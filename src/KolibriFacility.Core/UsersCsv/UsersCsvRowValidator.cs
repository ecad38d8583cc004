using System.Globalization;
using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>A data row either passed every CSV-stage rule (Row) or did not (Rejected).</summary>
internal readonly record struct RowOutcome(ImportRow? Row, RejectedRow? Rejected);

/// <summary>
/// Checks the data rows of one users CSV in file order with the rules of docs/Kolibri.md, Row checks (in Kolibri's order, one
/// error per failing check, every error of a row collected), using Kolibri's model limits where they are stricter,
/// and normalises the values of valid rows. Remembers usernames and UUIDs to report later duplicates.
/// </summary>
internal sealed class UsersCsvRowValidator(UsersCsvHeader header, char separator, int currentYear)
{
    private static readonly string[] UserTypes = Enum.GetNames<UserType>();
    private static readonly string[] Genders = ["", "MALE", "FEMALE", Demographics.NotSpecified, Demographics.Deferred];

    private readonly Dictionary<string, int> firstRowOfUsername = new(UsernameComparer.Instance);
    private readonly Dictionary<string, int> firstRowOfUuid = new(StringComparer.Ordinal);

    private readonly MessagePool messages = new();

    // Where each cell key is among a row's fields (the first column of a key wins), shared by the rejected rows' cells.
    private readonly Dictionary<string, int> positions = header.Cells
        .Where(c => c.Kind != HeaderCellKind.Errors)
        .GroupBy(c => c.CellKey, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First().Index, StringComparer.Ordinal);

    /// <param name="rawRecord">The row as written (UTF-8), decoded only for a wrong field count.</param>
    /// <param name="source">Where the row is in its file: rows keep that rather than their raw fields.</param>
    public RowOutcome Validate(int row, int line, string[] fields, ReadOnlySpan<byte> rawRecord, CsvRecordSpan source)
    {
        var cells = Cells(fields);
        var context = new RowContext(row, line, fields, cells, Clean(Raw(cells, UsersCsvFormat.Username)), source, messages);
        if (fields.Length != header.Cells.Count)
        {
            // Shown with the password masked: errors reach screens, logs and saved plans.
            var shown = ShownText.Record(Encoding.UTF8.GetString(rawRecord), separator, header.IndexOf(UsersCsvFormat.Password), header.Cells.Count);
            // The rejected-rows file has only the header's columns: the message keeps what the extra fields held.
            context.Fail(null, shown, ImportErrorIds.WrongFieldCount,
                $"The row has {fields.Length} field(s) but the header has {header.Cells.Count} column(s). "
                + "A value that holds the separator or a line break must be enclosed in double quotes."
                + (fields.Length > header.Cells.Count ? " The row as written (password masked): " + shown : ""));
            // Its cells cannot be trusted: what sits in the USERNAME column may be the password, so errors do not name it.
            return Rejected(context, errorsNameUser: false);
        }

        if (CheckValueLengths(context, fields))
        {
            return Rejected(context);
        }

        return Validate(context, fields);
    }

    /// <summary>
    /// Checks a row that was not read from a file (the cmdlets' edits): its cells by machine name, only the columns
    /// it has. The same rules as a CSV row, except the field count and raw-length checks that only a file needs.
    /// </summary>
    public RowOutcome Validate(int row, Dictionary<string, string> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var fields = header.Cells.Select(c => cells.GetValueOrDefault(c.CellKey, string.Empty)).ToArray();
        return Validate(new RowContext(row, row, fields, cells, Clean(Raw(cells, UsersCsvFormat.Username)), default, messages), fields);
    }

    private RowOutcome Validate(RowContext context, string[]? fields)
    {
        CheckDuplicateUsername(context);
        var uuid = CheckUuid(context);
        var fullName = CheckFullName(context);
        var birthYear = CheckBirthYear(context);
        var username = CheckUsername(context);
        var password = CheckPassword(context);
        var userType = CheckUserType(context);
        var gender = CheckGender(context);
        var identifier = CheckIdentifier(context);
        var enrolledIn = CheckClasses(context, UsersCsvFormat.EnrolledIn);
        var assignedTo = CheckClasses(context, UsersCsvFormat.AssignedTo);

        Remember(context, uuid);
        if (context.Errors.Count > 0)
        {
            return Rejected(context);
        }

        return new RowOutcome(new ImportRow
        {
            Row = context.Row,
            Line = context.Line,
            Uuid = uuid,
            Username = username,
            Password = password,
            FullName = fullName,
            UserType = userType!.Value,
            Identifier = identifier,
            BirthYear = birthYear,
            Gender = gender,
            EnrolledIn = enrolledIn,
            AssignedTo = assignedTo,
            Source = context.Source,
        }, null);
    }

    /// <summary>A cell far longer than any value Kolibri accepts fails alone: the row's other rules are not checked on it.</summary>
    private bool CheckValueLengths(RowContext context, string[] fields)
    {
        foreach (var cell in header.Cells)
        {
            if (cell.Index < fields.Length && fields[cell.Index].Length > UsersCsvLimits.MaxValueLength)
            {
                var password = cell.Kind == HeaderCellKind.Column && cell.Key == UsersCsvFormat.Password;
                var length = fields[cell.Index].Length.ToString("N0", CultureInfo.InvariantCulture);
                context.Fail(cell.Kind == HeaderCellKind.Column ? cell.Key : cell.Text, password ? $"({length} characters, not shown)" : fields[cell.Index], ImportErrorIds.ValueTooLong,
                    $"The value in column '{ShownText.Cut(cell.Text)}' has {length} characters; a users CSV value may have at most "
                    + UsersCsvLimits.MaxValueLength.ToString("N0", CultureInfo.InvariantCulture) + " (Kolibri's longest, a password, 128). The row is not checked further.");
            }
        }

        return context.Errors.Count > 0;
    }

    private Dictionary<string, string> Cells(string[] fields)
    {
        var cells = new Dictionary<string, string>(header.Cells.Count, StringComparer.Ordinal);
        foreach (var cell in header.Cells)
        {
            if (cell.Kind != HeaderCellKind.Errors && cell.Index < fields.Length)
            {
                cells.TryAdd(cell.CellKey, fields[cell.Index]);
            }
        }

        return cells;
    }

    private static string? Raw(IReadOnlyDictionary<string, string> cells, string column) => cells.GetValueOrDefault(column);

    /// <summary>Trimmed, with the apostrophe Kolibri's export puts before formula characters removed.</summary>
    private static string Clean(string? raw) => CsvInjection.Unsanitize((raw ?? "").Trim());

    private void CheckDuplicateUsername(RowContext context)
    {
        if (context.Username.Length > 0 && firstRowOfUsername.TryGetValue(context.Username, out var first))
        {
            context.Fail(UsersCsvFormat.Username, ImportErrorIds.UsernameDuplicated,
                $"The username '{ShownText.Cut(context.Username)}' is already used by row {first} of this file; usernames must be unique (ignoring case).");
        }
    }

    private string? CheckUuid(RowContext context)
    {
        var value = Clean(context.Raw(UsersCsvFormat.Uuid));
        if (value.Length == 0)
        {
            return null;
        }

        var uuid = NormaliseUuid(value);
        if (uuid is null)
        {
            context.Fail(UsersCsvFormat.Uuid, ImportErrorIds.UuidInvalid,
                $"The database ID '{ShownText.Cut(value)}' is not valid: it must be 32 hexadecimal digits, with or without dashes (or empty for a new user).");
        }
        else if (firstRowOfUuid.TryGetValue(uuid, out var first))
        {
            context.Fail(UsersCsvFormat.Uuid, ImportErrorIds.UuidDuplicated,
                $"The database ID '{value}' is already used by row {first} of this file; each user may appear only once.");
        }

        return uuid;
    }

    /// <summary>32 lowercase hex digits, from 32 hex digits or the dashed 8-4-4-4-12 form; null when neither.</summary>
    public static string? NormaliseUuid(string value) =>
        Guid.TryParseExact(value, "N", out var guid) || Guid.TryParseExact(value, "D", out guid) ? guid.ToString("N", CultureInfo.InvariantCulture) : null;

    private static string CheckFullName(RowContext context)
    {
        var value = Clean(context.Raw(UsersCsvFormat.FullName));
        if (value.Length == 0)
        {
            context.Fail(UsersCsvFormat.FullName, ImportErrorIds.FullNameRequired, "The full name is required.");
        }
        else if (Length(value) > UsersCsvLimits.FullNameMaxLength)
        {
            context.Fail(UsersCsvFormat.FullName, ImportErrorIds.FullNameTooLong,
                $"The full name has {Length(value)} characters; Kolibri allows at most {UsersCsvLimits.FullNameMaxLength}.");
        }

        return value;
    }

    private string? CheckBirthYear(RowContext context)
    {
        if (!context.Has(UsersCsvFormat.BirthYear))
        {
            return null;
        }

        var value = Clean(context.Raw(UsersCsvFormat.BirthYear)).ToUpperInvariant();
        if (value.Length == 0 || value == Demographics.Deferred)
        {
            return "";
        }

        if (value.Length > 4 || !value.All(char.IsAsciiDigit) || int.Parse(value, CultureInfo.InvariantCulture) is var year && (year < UsersCsvLimits.FirstBirthYear || year > currentYear))
        {
            context.Fail(UsersCsvFormat.BirthYear, ImportErrorIds.BirthYearInvalid,
                $"The birth year '{ShownText.Cut(value)}' is not valid: it must be a year from {UsersCsvLimits.FirstBirthYear} to {currentYear}, DEFERRED, or empty.");
        }

        return value;
    }

    private static string CheckUsername(RowContext context)
    {
        var value = context.Username;
        if (Length(value) > UsersCsvLimits.UsernameMaxLength)
        {
            context.Fail(UsersCsvFormat.Username, ImportErrorIds.UsernameTooLong,
                $"The username '{ShownText.Cut(value)}' has {Length(value)} characters; Kolibri allows at most {UsersCsvLimits.UsernameMaxLength}.");
        }

        var invalid = InvalidUsernameCharacters(value);
        if (invalid.Length > 0)
        {
            context.Fail(UsersCsvFormat.Username, ImportErrorIds.UsernameInvalidCharacters,
                $"The username '{ShownText.Cut(value)}' contains {ShownText.Cut(invalid)}; a username may contain only letters, digits and underscores.");
        }

        if (value.Length == 0)
        {
            context.Fail(UsersCsvFormat.Username, ImportErrorIds.UsernameRequired, "The username is required.");
        }

        return value;
    }

    /// <summary>The characters Kolibri's username rule refuses, quoted and listed once each; "" when there are none.</summary>
    public static string InvalidUsernameCharacters(string username)
    {
        var invalid = new List<string>();
        foreach (var rune in username.EnumerateRunes())
        {
            if (!IsUsernameRune(rune) && !invalid.Contains(rune.ToString()))
            {
                invalid.Add(rune.ToString());
            }
        }

        return string.Join(", ", invalid.Select(c => char.IsWhiteSpace(c, 0) ? $"a space (U+{(int)c[0]:X4})" : $"'{c}'"));
    }

    // Letters of any script (with their combining marks), decimal digits and '_': Kolibri's "letters and digits only".
    private static bool IsUsernameRune(Rune rune) =>
        rune.Value == '_' || Rune.GetUnicodeCategory(rune) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
            or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.DecimalDigitNumber;

    private static string CheckPassword(RowContext context)
    {
        // Not un-prefixed: Kolibri exports passwords as '*' only, so an apostrophe here was typed on purpose.
        var value = (context.Raw(UsersCsvFormat.Password) ?? "").Trim();
        if (Length(value) > UsersCsvLimits.PasswordMaxLength)
        {
            // Error objects end up on screens and in logs: never the password itself.
            context.Fail(UsersCsvFormat.Password, $"({Length(value)} characters, not shown)", ImportErrorIds.PasswordTooLong,
                $"The password has {Length(value)} characters; Kolibri allows at most {UsersCsvLimits.PasswordMaxLength}.");
        }

        if (value.Length == 0)
        {
            context.Fail(UsersCsvFormat.Password, ImportErrorIds.PasswordRequired,
                "The password is required. To keep the password of an existing user, write an asterisk (*).");
        }

        return value;
    }

    private static UserType? CheckUserType(RowContext context)
    {
        var value = Clean(context.Raw(UsersCsvFormat.UserType)).ToUpperInvariant();
        if (UserTypes.Contains(value, StringComparer.Ordinal))
        {
            return Enum.Parse<UserType>(value);
        }

        context.Fail(UsersCsvFormat.UserType, ImportErrorIds.UserTypeInvalid,
            (value.Length == 0 ? "The user type is required" : $"The user type '{ShownText.Cut(value)}' is not valid")
            + $": it must be one of {string.Join(", ", UserTypes)} (in any case).");
        return null;
    }

    private static string? CheckGender(RowContext context)
    {
        if (!context.Has(UsersCsvFormat.Gender))
        {
            return null;
        }

        var value = Clean(context.Raw(UsersCsvFormat.Gender)).ToUpperInvariant();
        if (!Genders.Contains(value, StringComparer.Ordinal))
        {
            context.Fail(UsersCsvFormat.Gender, ImportErrorIds.GenderInvalid,
                $"The gender '{ShownText.Cut(value)}' is not valid: it must be MALE, FEMALE, NOT_SPECIFIED, DEFERRED or empty (in any case).");
        }

        return value == Demographics.Deferred ? "" : value;
    }

    private static string? CheckIdentifier(RowContext context)
    {
        if (!context.Has(UsersCsvFormat.Identifier))
        {
            return null;
        }

        // Upper-cased as Kolibri's importer stores it.
        var value = Clean(context.Raw(UsersCsvFormat.Identifier)).ToUpperInvariant();
        if (Length(value) > UsersCsvLimits.IdentifierMaxLength)
        {
            context.Fail(UsersCsvFormat.Identifier, ImportErrorIds.IdentifierTooLong,
                $"The identifier '{ShownText.Cut(value)}' has {Length(value)} characters; Kolibri allows at most {UsersCsvLimits.IdentifierMaxLength}.");
        }

        return value;
    }

    private static IReadOnlyList<string>? CheckClasses(RowContext context, string column)
    {
        if (!context.Has(column))
        {
            return null;
        }

        var classes = ClassList.Split(Clean(context.Raw(column)));
        var tooLong = classes.Where(c => Length(c) > UsersCsvLimits.ClassNameMaxLength).ToList();
        if (tooLong.Count > 0)
        {
            context.Fail(column, ImportErrorIds.ClassNameTooLong,
                $"The class name(s) {ShownText.Cut(string.Join(", ", tooLong.Select(c => $"'{c}' ({Length(c)} characters)")))} are too long; "
                + $"Kolibri allows at most {UsersCsvLimits.ClassNameMaxLength} characters. Class names are separated by commas.");
        }

        return classes;
    }

    private void Remember(RowContext context, string? uuid)
    {
        if (context.Username.Length > 0)
        {
            firstRowOfUsername.TryAdd(context.Username, context.Row);
        }

        if (uuid is not null)
        {
            firstRowOfUuid.TryAdd(uuid, context.Row);
        }
    }

    /// <summary>A rejected row keeps its cells only as they may be shown, its class names and its place in the file, not its raw text.</summary>
    private RowOutcome Rejected(RowContext context, bool errorsNameUser = true)
    {
        var uuidCell = Clean(context.Raw(UsersCsvFormat.Uuid));
        var classNames = new List<string>();
        foreach (var column in new[] { UsersCsvFormat.EnrolledIn, UsersCsvFormat.AssignedTo })
        {
            if (context.Raw(column) is { Length: > 0 } cell)
            {
                classNames.AddRange(ClassList.Split(cell));
            }
        }

        return new RowOutcome(null, new RejectedRow
        {
            Row = context.Row,
            Line = context.Line,
            Cells = new RowCells(positions, ShownCells(context)),
            ClassNames = classNames.Count == 0 ? [] : [.. classNames],
            Source = context.Source,
            Uuid = uuidCell.Length == 0 ? null : NormaliseUuid(uuidCell),
            Username = context.Username.Length == 0 ? null : context.Username,
            Errors = errorsNameUser ? context.Errors : context.Errors.Select(e => e with { Username = null }).ToList(),
        });
    }

    /// <summary>The row's fields as they may be shown; a value an error quotes cut is the same string in both (garbage rows are many).</summary>
    private string[] ShownCells(RowContext context)
    {
        var shown = ShownText.Fields(context.Fields, header.IndexOf(UsersCsvFormat.Password), header.Cells.Count);
        foreach (var error in context.Errors)
        {
            if (error is { Column: { } column, Value: { } value } && positions.TryGetValue(column, out var index) && index < shown.Length
                && !ReferenceEquals(shown[index], value) && string.Equals(shown[index], value, StringComparison.Ordinal))
            {
                shown[index] = value;
            }
        }

        return shown;
    }

    /// <summary>Python's len(): code points, not UTF-16 units.</summary>
    private static int Length(string value)
    {
        var count = 0;
        foreach (var _ in value.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private sealed class RowContext(int row, int line, string[] fields, Dictionary<string, string> cells, string username, CsvRecordSpan source, MessagePool messages)
    {
        public int Row { get; } = row;
        public int Line { get; } = line;
        public string[] Fields { get; } = fields;
        public CsvRecordSpan Source { get; } = source;
        public Dictionary<string, string> Cells { get; } = cells;
        public string Username { get; } = username;
        public List<ImportError> Errors { get; } = [];

        public bool Has(string column) => Cells.ContainsKey(column);

        public string? Raw(string column) => Cells.GetValueOrDefault(column);

        public void Fail(string column, string errorId, string message) => Fail(column, Raw(column), errorId, message);

        public void Fail(string? column, string? value, string errorId, string message) =>
            Errors.Add(new ImportError
            {
                Row = Row,
                Line = Line,
                Column = column,
                Value = value,
                ErrorId = errorId,
                Message = messages.Shared(message),
                Username = Username.Length == 0 ? null : Username,
            });
    }
}

/// <summary>
/// One string for each message that many rows share ("The user type 'ROBOT' is not ..."): every error of a file of
/// garbage is kept, its text need not be kept 250,000 times. Bounded: past its size a new message is kept as it is.
/// </summary>
internal sealed class MessagePool
{
    private const int MaxMessages = 4096;
    private readonly Dictionary<string, string> messages = new(StringComparer.Ordinal);

    public string Shared(string message)
    {
        if (messages.TryGetValue(message, out var shared))
        {
            return shared;
        }

        if (messages.Count < MaxMessages)
        {
            messages.Add(message, message);
        }

        return message;
    }
}
