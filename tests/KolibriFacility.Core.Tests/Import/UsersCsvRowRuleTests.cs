using System.Globalization;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>One small file per row rule: the error names its id, row, line, column and the raw value.</summary>
public sealed class UsersCsvRowRuleTests
{
    private static readonly string NextYear = (DateTime.UtcNow.Year + 1).ToString(CultureInfo.InvariantCulture);

    public static TheoryData<string, string, string> BadCells => new()
    {
        { "UUID", "not-a-uuid", ImportErrorIds.UuidInvalid },
        { "UUID", "c041a750e2da866b1d0b2e05b4847ae", ImportErrorIds.UuidInvalid },
        { "UUID", "{c041a750-e2da-866b-1d0b-2e05b4847aef}", ImportErrorIds.UuidInvalid },
        { "FULL_NAME", "", ImportErrorIds.FullNameRequired },
        { "FULL_NAME", "   ", ImportErrorIds.FullNameRequired },
        { "FULL_NAME", new string('n', 121), ImportErrorIds.FullNameTooLong },
        { "BIRTH_YEAR", "1899", ImportErrorIds.BirthYearInvalid },
        { "BIRTH_YEAR", "1900", ImportErrorIds.BirthYearInvalid },
        { "BIRTH_YEAR", NextYear, ImportErrorIds.BirthYearInvalid },
        { "BIRTH_YEAR", "2010.0", ImportErrorIds.BirthYearInvalid },
        { "BIRTH_YEAR", "NOT_SPECIFIED", ImportErrorIds.BirthYearInvalid },
        { "BIRTH_YEAR", "twenty", ImportErrorIds.BirthYearInvalid },
        { "USERNAME", new string('u', 31), ImportErrorIds.UsernameTooLong },
        { "USERNAME", "ann lee", ImportErrorIds.UsernameInvalidCharacters },
        { "USERNAME", "ann.lee", ImportErrorIds.UsernameInvalidCharacters },
        { "USERNAME", "ann@school", ImportErrorIds.UsernameInvalidCharacters },
        { "USERNAME", "ann-lee", ImportErrorIds.UsernameInvalidCharacters },
        { "USERNAME", "", ImportErrorIds.UsernameRequired },
        { "PASSWORD", new string('p', 129), ImportErrorIds.PasswordTooLong },
        { "PASSWORD", "", ImportErrorIds.PasswordRequired },
        { "PASSWORD", "  ", ImportErrorIds.PasswordRequired },
        { "USER_TYPE", "TEACHER", ImportErrorIds.UserTypeInvalid },
        { "USER_TYPE", "", ImportErrorIds.UserTypeInvalid },
        { "GENDER", "OTHER", ImportErrorIds.GenderInvalid },
        { "IDENTIFIER", new string('i', 65), ImportErrorIds.IdentifierTooLong },
        { "ENROLLED_IN", "Class A," + new string('c', 51), ImportErrorIds.ClassNameTooLong },
        { "ASSIGNED_TO", new string('c', 51), ImportErrorIds.ClassNameTooLong },
    };

    [Theory]
    [MemberData(nameof(BadCells))]
    public void A_bad_cell_gives_one_error_naming_row_line_column_and_raw_value(string column, string value, string errorId)
    {
        var username = column == "USERNAME" ? value : "bad";
        var doc = Read(File(MachineHeader, Row("first"), Row(username, (column, value)), Row("third")));

        Assert.False(doc.HasFileErrors);
        Assert.Equal(["first", "third"], doc.Rows.Select(r => r.Username));
        var rejected = Assert.Single(doc.Rejected);
        Assert.Equal(2, rejected.Row);
        Assert.Equal(3, rejected.Line);
        var error = Assert.Single(rejected.Errors);
        Assert.Equal(errorId, error.ErrorId);
        Assert.Equal(2, error.Row);
        Assert.Equal(3, error.Line);
        Assert.Equal(column, error.Column);
        if (errorId == ImportErrorIds.PasswordTooLong)
        {
            Assert.DoesNotContain(value, error.Value ?? "", StringComparison.Ordinal); // a password never shows
        }
        else
        {
            Assert.Equal(value, error.Value);
        }

        Assert.Equal(username.Trim().Length == 0 ? null : username, error.Username);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
        if (column is not "PASSWORD" and not "FULL_NAME" && value.Trim().Length is > 0 and < 60)
        {
            Assert.Contains(value.Split(',')[^1].Trim(), error.Message, StringComparison.OrdinalIgnoreCase);
        }

        Assert.DoesNotContain(column == "PASSWORD" && value.Length > 0 ? value : "\0", error.Message, StringComparison.Ordinal);
        Assert.Equal(rejected.Errors, doc.Errors);
        // Kept only as it may be shown: a password never, anything else cut.
        Assert.Equal(column == "PASSWORD" ? ShownText.PasswordMask : ShownText.Cut(value), rejected.Cells[column]);
    }

    public static TheoryData<string, string> GoodCells => new()
    {
        { "UUID", "C041A750-E2DA-866B-1D0B-2E05B4847AEF" },
        { "FULL_NAME", new string('n', 120) },
        { "BIRTH_YEAR", "1901" },
        { "BIRTH_YEAR", DateTime.UtcNow.Year.ToString(CultureInfo.InvariantCulture) },
        { "BIRTH_YEAR", "deferred" },
        { "USERNAME", new string('u', 30) },
        { "USERNAME", "José_2" },
        { "USERNAME", "नमस्ते" },
        { "USERNAME", "学生01" },
        { "PASSWORD", new string('p', 128) },
        { "USER_TYPE", "class_coach" },
        { "GENDER", "not_specified" },
        { "IDENTIFIER", new string('i', 64) },
        { "ENROLLED_IN", new string('c', 50) },
    };

    [Theory]
    [MemberData(nameof(GoodCells))]
    public void Values_at_the_limits_are_accepted(string column, string value)
    {
        var doc = Read(File(MachineHeader, Row(column == "USERNAME" ? value : "ok", (column, value))));
        Assert.Empty(doc.Errors);
        Assert.Single(doc.Rows);
    }

    [Fact]
    public void Every_failing_check_of_a_row_is_reported_in_kolibris_order()
    {
        var doc = Read(File(MachineHeader, Row("ann lee", ("UUID", "zz"), ("BIRTH_YEAR", "1800"), ("PASSWORD", ""), ("USER_TYPE", "boss"), ("GENDER", "x"), ("ASSIGNED_TO", new string('a', 60)))));

        var errors = Assert.Single(doc.Rejected).Errors;
        Assert.Equal(
            [ImportErrorIds.UuidInvalid, ImportErrorIds.BirthYearInvalid, ImportErrorIds.UsernameInvalidCharacters, ImportErrorIds.PasswordRequired,
             ImportErrorIds.UserTypeInvalid, ImportErrorIds.GenderInvalid, ImportErrorIds.ClassNameTooLong],
            errors.Select(e => e.ErrorId));
        Assert.All(errors, e => Assert.Equal("ann lee", e.Username));
        Assert.Equal(doc.Errors, errors);
    }

    [Fact]
    public void A_username_used_again_in_any_case_is_a_duplicate_of_its_first_row()
    {
        var doc = Read(File(MachineHeader, Row("amy", ("USER_TYPE", "nope")), Row("bob"), Row("AMY"), Row(" Amy ")));

        Assert.Equal(["bob"], doc.Rows.Select(r => r.Username));
        Assert.Equal([1, 3, 4], doc.Rejected.Select(r => r.Row));
        var duplicate = doc.Rejected[1].Errors.Single();
        Assert.Equal(ImportErrorIds.UsernameDuplicated, duplicate.ErrorId);
        Assert.Equal("USERNAME", duplicate.Column);
        Assert.Equal("AMY", duplicate.Value);
        Assert.Equal(4, duplicate.Line);
        Assert.Contains("row 1", duplicate.Message, StringComparison.Ordinal);
        Assert.Equal(ImportErrorIds.UsernameDuplicated, doc.Rejected[2].Errors.Single().ErrorId);
        Assert.Contains("row 1", doc.Rejected[2].Errors.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_uuid_used_again_in_another_spelling_is_a_duplicate_of_its_first_row()
    {
        const string id = "c041a750e2da866b1d0b2e05b4847aef";
        var doc = Read(File(MachineHeader, Row("one", ("UUID", id)), Row("two", ("UUID", "C041A750-E2DA-866B-1D0B-2E05B4847AEF"))));

        Assert.Equal(id, Assert.Single(doc.Rows).Uuid);
        var rejected = Assert.Single(doc.Rejected);
        Assert.Equal(id, rejected.Uuid);
        Assert.Equal("two", rejected.Username);
        var error = Assert.Single(rejected.Errors);
        Assert.Equal(ImportErrorIds.UuidDuplicated, error.ErrorId);
        Assert.Equal("UUID", error.Column);
        Assert.Equal("C041A750-E2DA-866B-1D0B-2E05B4847AEF", error.Value);
        Assert.Contains("row 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_row_with_too_few_or_too_many_fields_is_a_wrong_field_count()
    {
        var doc = Read(File(MachineHeader, "a1b2c3d4e5f60718293a4b5c6d7e8f90,short,pw,Short Row,LEARNER", Row("ok"), Row("long") + ",extra"));

        Assert.Equal(["ok"], doc.Rows.Select(r => r.Username));
        Assert.Equal(2, doc.Rejected.Count);
        var shortRow = doc.Rejected[0];
        var error = Assert.Single(shortRow.Errors);
        Assert.Equal(ImportErrorIds.WrongFieldCount, error.ErrorId);
        Assert.Equal(1, error.Row);
        Assert.Equal(2, error.Line);
        Assert.Null(error.Column);
        // Five fields for ten columns: the password may have moved into any of the first three, so all three are masked.
        Assert.Equal("***,***,***,Short Row,LEARNER", error.Value);
        Assert.Equal("short", shortRow.Username);
        Assert.Equal("a1b2c3d4e5f60718293a4b5c6d7e8f90", shortRow.Uuid);
        Assert.Contains("5 field(s)", error.Message, StringComparison.Ordinal);
        Assert.Equal(ImportErrorIds.WrongFieldCount, doc.Rejected[1].Errors.Single().ErrorId);
        Assert.Equal(3, doc.Rejected[1].Row);
        // One field too many: the password is the third or the fourth field, both masked.
        Assert.EndsWith("The row as written (password masked): ,long,***,***,LEARNER,,2000,,,,extra", doc.Rejected[1].Errors.Single().Message, StringComparison.Ordinal);
        // Where the password may be, the cells kept are masked; the rejected-rows file reads the row from the file again.
        Assert.Equal("***", doc.Rejected[1].Cells["PASSWORD"]);
        Assert.Equal("***", doc.Rejected[1].Cells["FULL_NAME"]);
        Assert.Equal("long", doc.Rejected[1].Cells["USERNAME"]);
        var rejectedFile = new StringWriter();
        RejectedRowsCsvWriter.Write(rejectedFile, doc);
        Assert.Contains(",long,pw,Good Name,LEARNER,", rejectedFile.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_trimmed_enums_upper_cased_and_class_lists_cleaned()
    {
        var doc = Read(File(MachineHeader, Row("  amy  ",
            ("UUID", " C041A750-E2DA-866B-1D0B-2E05B4847AEF "), ("PASSWORD", " secret "), ("FULL_NAME", "  Amy Lee "), ("USER_TYPE", " facility_coach "),
            ("IDENTIFIER", " id-9 "), ("BIRTH_YEAR", " 1990 "), ("GENDER", " female "),
            ("ENROLLED_IN", " Class A , class a,,Class B , "), ("ASSIGNED_TO", "Grade 5,grade 5"))));

        var row = Assert.Single(doc.Rows);
        Assert.Equal("c041a750e2da866b1d0b2e05b4847aef", row.Uuid);
        Assert.Equal("amy", row.Username);
        Assert.Equal("secret", row.Password);
        Assert.Equal("Amy Lee", row.FullName);
        Assert.Equal(Model.UserType.FACILITY_COACH, row.UserType);
        Assert.Equal("ID-9", row.Identifier);
        Assert.Equal("1990", row.BirthYear);
        Assert.Equal("FEMALE", row.Gender);
        Assert.Equal(["Class A", "Class B"], row.EnrolledIn);
        Assert.Equal(["Grade 5"], row.AssignedTo);
    }

    [Fact]
    public void Deferred_and_empty_demographics_read_as_empty_and_a_star_keeps_the_password()
    {
        var doc = Read(File(MachineHeader, Row("a", ("GENDER", "DEFERRED"), ("BIRTH_YEAR", "Deferred"), ("PASSWORD", "*")), Row("b", ("BIRTH_YEAR", ""))));

        Assert.Equal("", doc.Rows[0].Gender);
        Assert.Equal("", doc.Rows[0].BirthYear);
        Assert.True(doc.Rows[0].KeepsPassword);
        Assert.Equal("", doc.Rows[1].BirthYear);
        Assert.Equal("", doc.Rows[1].Gender);
        Assert.Equal(Array.Empty<string>(), doc.Rows[1].EnrolledIn);
    }

    [Fact]
    public void The_apostrophe_kolibri_puts_before_formula_characters_is_removed_but_not_from_passwords()
    {
        var doc = Read(File(MachineHeader, Row("a", ("FULL_NAME", "'-Minus Sign"), ("IDENTIFIER", "'+1|2"), ("ENROLLED_IN", "'=Class,Other"), ("PASSWORD", "'=pw")),
            Row("b", ("FULL_NAME", "'Quoted Name"), ("IDENTIFIER", "'@X\\|Y"))));

        Assert.Empty(doc.Errors);
        Assert.Equal("-Minus Sign", doc.Rows[0].FullName);
        Assert.Equal("+1|2", doc.Rows[0].Identifier);
        Assert.Equal(["=Class", "Other"], doc.Rows[0].EnrolledIn);
        Assert.Equal("'=pw", doc.Rows[0].Password);
        Assert.Equal("'Quoted Name", doc.Rows[1].FullName);
        Assert.Equal("@X|Y", doc.Rows[1].Identifier);
    }
}
