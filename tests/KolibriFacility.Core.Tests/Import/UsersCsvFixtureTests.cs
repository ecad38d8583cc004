using System.Security.Cryptography;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>The CSV files Kolibri 0.17.5 itself wrote and read (fixtures) read without a single error.</summary>
public sealed class UsersCsvFixtureTests
{
    [Fact]
    public void Kolibris_own_export_reads_as_47_valid_rows()
    {
        var path = TestPaths.Fixture("users-export.csv");
        var doc = UsersCsvReader.Read(path);

        Assert.Empty(doc.Errors);
        Assert.Empty(doc.Rejected);
        Assert.False(doc.HasFileErrors);
        Assert.Equal(47, doc.Rows.Count);
        Assert.Equal(Path.GetFullPath(path), doc.Path);
        Assert.Equal("utf8BOM", doc.Encoding);
        Assert.Equal(',', doc.Separator);
        Assert.Equal(UsersCsvFormat.Columns, doc.Columns);
        Assert.Equal(UsersCsvFormat.EnglishHeader(), doc.Headers);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path))).ToLowerInvariant(), doc.Sha256);
        Assert.Equal(Enumerable.Range(1, 47), doc.Rows.Select(r => r.Row));
        Assert.Equal(Enumerable.Range(2, 47), doc.Rows.Select(r => r.Line));
        Assert.All(doc.Rows, r => Assert.True(r.KeepsPassword));
        Assert.All(doc.Rows, r => Assert.Matches("^[0-9a-f]{32}$", r.Uuid!));

        var first = doc.Rows[0];
        Assert.Equal("c041a750e2da866b1d0b2e05b4847aef", first.Uuid);
        Assert.Equal("fcoach1", first.Username);
        Assert.Equal("Emeka García", first.FullName);
        Assert.Equal(UserType.FACILITY_COACH, first.UserType);
        Assert.Equal("ID-0521", first.Identifier);
        Assert.Equal("1994", first.BirthYear);
        Assert.Equal("MALE", first.Gender);
        Assert.Equal(Array.Empty<string>(), first.EnrolledIn);
        Assert.Equal(["Class B", "Class A"], first.AssignedTo);

        var ccoach1 = doc.Rows.Single(r => r.Username == "ccoach1");
        Assert.Equal(UserType.CLASS_COACH, ccoach1.UserType);
        Assert.Equal("", ccoach1.BirthYear);
        Assert.Equal("FEMALE", ccoach1.Gender);
        Assert.Equal("", ccoach1.Identifier);

        Assert.Equal("Name, With Comma", doc.Rows.Single(r => r.Username == "learner35").FullName);
        // Kolibri's export wrote '=SUM(A1) against formula injection; the reader gives back the stored value.
        Assert.Equal("=SUM(A1)", doc.Rows.Single(r => r.Username == "learner36").Identifier);
        Assert.Equal("Zoë Ó'Connor-Núñez", doc.Rows.Single(r => r.Username == "learner37").FullName);
        Assert.Equal(["Class B", "Reading Club"], doc.Rows.Single(r => r.Username == "learner04").EnrolledIn);
        Assert.Equal(10, doc.Rows.Count(r => r.UserType != UserType.LEARNER));
        Assert.DoesNotContain(doc.Rows, r => r.UserType == UserType.ADMIN);
    }

    [Fact]
    public void The_file_kolibri_imported_reads_as_50_valid_rows_normalised_as_kolibri_stores_them()
    {
        var path = TestPaths.Fixture("users-import.csv");
        var doc = UsersCsvReader.Read(path);

        Assert.Empty(doc.Errors);
        Assert.Equal(50, doc.Rows.Count);
        Assert.Equal("utf8NoBOM", doc.Encoding);
        Assert.Equal(UsersCsvFormat.Columns, doc.Headers);
        Assert.All(doc.Rows, r => Assert.Null(r.Uuid));
        Assert.All(doc.Rows, r => Assert.Equal("pass123", r.Password));
        Assert.Equal(3, doc.Rows.Count(r => r.UserType == UserType.ADMIN));
        Assert.Equal(["admin2", "admin3", "principal"], doc.Rows.Take(3).Select(r => r.Username));

        var fcoach2 = doc.Rows.Single(r => r.Username == "fcoach2");
        Assert.Equal("MALE", fcoach2.Gender); // written "male"

        var fcoach4 = doc.Rows.Single(r => r.Username == "fcoach4");
        Assert.Equal(UserType.FACILITY_COACH, fcoach4.UserType); // written "facility_coach"
        Assert.Equal("NOT_SPECIFIED", fcoach4.Gender);
        Assert.Equal(["science 7"], fcoach4.AssignedTo);

        Assert.Equal(["Science 7", "Reading Club"], doc.Rows.Single(r => r.Username == "ccoach4").AssignedTo); // "Science 7, Reading Club"
        Assert.Equal("=SUM(A1)", doc.Rows.Single(r => r.Username == "learner36").Identifier);
        Assert.Equal("STAFF-001", doc.Rows[0].Identifier);
        Assert.Equal(["Class A"], doc.Rows.Single(r => r.Username == "admin3").AssignedTo);
        Assert.Equal(51, doc.Rows[^1].Line);
    }

    [Fact]
    public void The_same_users_are_in_both_fixtures()
    {
        var exported = UsersCsvReader.Read(TestPaths.Fixture("users-export.csv")).Rows.ToDictionary(r => r.Username);
        var imported = UsersCsvReader.Read(TestPaths.Fixture("users-import.csv")).Rows.Where(r => r.UserType != UserType.ADMIN).ToList();

        Assert.Equal(exported.Keys.Order(), imported.Select(r => r.Username).Order());
        foreach (var row in imported)
        {
            var export = exported[row.Username];
            Assert.Equal(row.FullName, export.FullName);
            Assert.Equal(row.UserType, export.UserType);
            Assert.Equal(row.Identifier, export.Identifier);
            Assert.Equal(row.BirthYear, export.BirthYear);
            Assert.Equal(row.EnrolledIn!.Order(), export.EnrolledIn!.Order());
        }
    }
}
