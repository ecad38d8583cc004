using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>Builds users CSV documents the way UsersCsvReader would, straight from rows.</summary>
internal static class ImportTestData
{
    public static UsersCsvDocument Document(IEnumerable<ImportRow> rows, IEnumerable<RejectedRow>? rejected = null, string[]? columns = null)
    {
        var rejectedList = (rejected ?? []).ToList();
        return new UsersCsvDocument
        {
            Sha256 = new string('a', 64),
            Columns = columns ?? UsersCsvFormat.Columns,
            Headers = columns ?? UsersCsvFormat.Columns,
            Rows = rows.ToList(),
            Rejected = rejectedList,
            Errors = rejectedList.SelectMany(r => r.Errors).ToList(),
        };
    }

    /// <summary>One row per current user of the facility, as an export of it would read back (admins included).</summary>
    public static List<ImportRow> RowsOf(KolibriDatabase db, Facility facility) =>
        new UserReader(db).Read(facility).Select((u, i) => RowOf(u, i + 1)).ToList();

    public static ImportRow RowOf(FacilityUser u, int row) => new()
    {
        Row = row,
        Line = row + 1,
        Uuid = u.Id,
        Username = u.Username,
        Password = "*",
        FullName = u.FullName,
        UserType = u.Type,
        Identifier = u.Identifier.ToUpperInvariant(),
        BirthYear = u.BirthYear is "DEFERRED" or "NOT_SPECIFIED" ? "" : u.BirthYear,
        Gender = u.Gender is "DEFERRED" or "NOT_SPECIFIED" ? "" : u.Gender,
        EnrolledIn = u.EnrolledIn,
        AssignedTo = u.AssignedTo,
    };

    public static ImportRow NewRow(int row, string username, UserType type = UserType.LEARNER, string password = "pw-" + "secret", string[]? enrolled = null, string[]? assigned = null) => new()
    {
        Row = row,
        Line = row + 1,
        Username = username,
        Password = password,
        FullName = "Full " + username,
        UserType = type,
        Identifier = "",
        BirthYear = "",
        Gender = "",
        EnrolledIn = enrolled ?? [],
        AssignedTo = assigned ?? [],
    };

    public static RejectedRow Rejected(int row, string? uuid, string? username) => new()
    {
        Row = row,
        Line = row + 1,
        Uuid = uuid,
        Username = username,
        Cells = new Dictionary<string, string> { ["USERNAME"] = username ?? "", ["UUID"] = uuid ?? "", ["BIRTH_YEAR"] = "abc" },
        Errors = [new ImportError { Row = row, Line = row + 1, Column = "BIRTH_YEAR", Value = "abc", Message = "Value in column 'BIRTH_YEAR' not valid", ErrorId = ImportErrorIds.BirthYearInvalid, Username = username }],
    };
}
