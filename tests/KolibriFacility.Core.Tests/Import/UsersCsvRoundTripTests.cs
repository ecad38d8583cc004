using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>What the exporter writes, the reader reads back unchanged (Kolibri's formula apostrophe included).</summary>
public sealed class UsersCsvRoundTripTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_fixture_database_exported_reads_back_with_the_stored_values()
    {
        var path = folder.CopyFixtureDatabase();
        List<FacilityUser> users;
        using (var db = KolibriDatabase.OpenRead(path))
        {
            users = new UserReader(db).Read(db.DefaultFacility()).ToList();
        }

        var doc = ExportAndRead(users);

        Assert.Empty(doc.Errors);
        var exported = users.Where(u => u.Type != UserType.ADMIN).ToList();
        Assert.Equal(exported.Count, doc.Rows.Count);
        Assert.Contains(exported, u => u.Identifier.StartsWith('='));
        foreach (var (user, row) in exported.Zip(doc.Rows))
        {
            AssertSame(user, row);
        }
    }

    [Fact]
    public void A_sandbox_exported_reads_back_with_the_stored_values()
    {
        var result = SandboxDatabase.Create(folder.File("sandbox.sqlite3"), new SandboxOptions { SampleUsers = 80, Seed = 11 });
        List<FacilityUser> users;
        using (var db = KolibriDatabase.OpenRead(result.Path))
        {
            users = new UserReader(db).Read(db.DefaultFacility()).ToList();
        }

        var doc = ExportAndRead(users, includeAdmins: true);

        Assert.Empty(doc.Errors);
        Assert.Equal(users.Count, doc.Rows.Count);
        foreach (var (user, row) in users.Zip(doc.Rows))
        {
            AssertSame(user, row);
        }
    }

    [Fact]
    public void Values_starting_with_formula_characters_survive_export_and_import()
    {
        string[] tricky = ["=HYPERLINK(\"http://x\",\"y\")", "-Minus", "+Plus|Pipe", "@At", "%Percent", "|Bar|", "-12", "-1,5", "'Apostrophe"];
        var users = tricky.Select((value, i) => new FacilityUser
        {
            Id = Guid.NewGuid().ToString("N"),
            Username = "user" + i,
            FullName = value,
            Identifier = value.ToUpperInvariant(),
            BirthYear = "",
            Gender = "",
            EnrolledIn = [value.Replace(",", "", StringComparison.Ordinal), "Plain"],
            AssignedTo = [],
            Type = UserType.LEARNER,
        }).ToList();

        var text = Export(users, includeAdmins: false);
        Assert.Contains("'=HYPERLINK", text, StringComparison.Ordinal);
        Assert.Contains("'+Plus\\|Pipe", text, StringComparison.Ordinal);
        var doc = UsersCsvText.Read(text);

        Assert.Empty(doc.Errors);
        Assert.Equal(tricky, doc.Rows.Select(r => r.FullName));
        Assert.Equal(tricky.Select(v => v.ToUpperInvariant()), doc.Rows.Select(r => r.Identifier));
        Assert.Equal(tricky.Select(v => v.Replace(",", "", StringComparison.Ordinal)), doc.Rows.Select(r => r.EnrolledIn![0]));
    }

    private static void AssertSame(FacilityUser user, ImportRow row)
    {
        Assert.Equal(user.Id, row.Uuid);
        Assert.Equal(user.Username, row.Username);
        Assert.Equal(user.FullName, row.FullName);
        Assert.Equal(user.Type, row.UserType);
        Assert.Equal(user.Identifier, row.Identifier);
        Assert.Equal(Demographic(user.BirthYear), row.BirthYear);
        Assert.Equal(Demographic(user.Gender), row.Gender);
        Assert.Equal(user.EnrolledIn.Order(), row.EnrolledIn!.Order());
        Assert.Equal(user.AssignedTo.Order(), row.AssignedTo!.Order());
        Assert.True(row.KeepsPassword);
    }

    private static string Demographic(string value) => value is Demographics.NotSpecified or Demographics.Deferred ? "" : value;

    private static UsersCsvDocument ExportAndRead(IEnumerable<FacilityUser> users, bool includeAdmins = false)
    {
        using var stream = new MemoryStream();
        new UsersCsvExporter { IncludeAdmins = includeAdmins }.Write(stream, CsvEncodings.KolibriDefault, users);
        stream.Position = 0;
        return UsersCsvReader.Read(stream);
    }

    private static string Export(IEnumerable<FacilityUser> users, bool includeAdmins)
    {
        using var writer = new StringWriter();
        new UsersCsvExporter { IncludeAdmins = includeAdmins }.Write(writer, users);
        return writer.ToString();
    }
}
