using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

public sealed class UsersCsvExporterTests : IDisposable
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static byte[] Export(string path, UsersCsvExporter exporter, Encoding encoding, UserQuery? query = null)
    {
        using var db = KolibriDatabase.OpenRead(path);
        var facility = db.DefaultFacility();
        using var output = new MemoryStream();
        exporter.Write(output, encoding, new UserReader(db).Read(facility, query));
        return output.ToArray();
    }

    [Fact]
    public void The_fixture_exports_byte_for_byte_as_kolibris_bulkexportusers()
    {
        var path = folder.CopyFixtureDatabase();
        var bytes = Export(path, new UsersCsvExporter(), CsvEncodings.KolibriDefault);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("users-export.csv")), bytes);
    }

    [Fact]
    public void The_file_is_utf8_with_a_bom_crlf_and_kolibris_header_and_NoBOM_drops_only_the_bom()
    {
        var path = folder.CopyFixtureDatabase();
        var withBom = Export(path, new UsersCsvExporter(), CsvEncodings.Utf8Bom);
        var noBom = Export(path, new UsersCsvExporter(), CsvEncodings.Utf8NoBom);
        Assert.Equal(Bom, withBom[..3]);
        Assert.NotEqual(Bom, noBom[..3]);
        Assert.Equal(withBom[3..], noBom);

        var text = Encoding.UTF8.GetString(noBom);
        Assert.StartsWith(string.Join(",", UsersCsvFormat.EnglishHeader()) + "\r\n", text);
        Assert.Equal("Database ID (UUID),Username (USERNAME),Password (PASSWORD),Full name (FULL_NAME),User type (USER_TYPE),Identifier (IDENTIFIER),Birth year (BIRTH_YEAR),Gender (GENDER),Learner enrollment (ENROLLED_IN),Coach assignment (ASSIGNED_TO)",
            string.Join(",", UsersCsvFormat.EnglishHeader()));
        Assert.DoesNotContain("\n", text.Replace("\r\n", ""));
        Assert.EndsWith("\r\n", text);

        var utf16 = Export(path, new UsersCsvExporter(), new UnicodeEncoding(false, true));
        Assert.Equal(text, Encoding.Unicode.GetString(utf16[2..]));
    }

    [Fact]
    public void Admins_are_left_out_unless_asked_for_and_then_exported_as_ADMIN()
    {
        var path = folder.CopyFixtureDatabase();
        var without = Lines(Export(path, new UsersCsvExporter(), CsvEncodings.Utf8NoBom));
        Assert.Equal(1 + 47, without.Length);
        Assert.DoesNotContain(without, l => l.Contains(",ADMIN,", StringComparison.Ordinal));

        var with = Lines(Export(path, new UsersCsvExporter { IncludeAdmins = true }, CsvEncodings.Utf8NoBom));
        Assert.Equal(1 + 51, with.Length);
        Assert.Equal(KolibriSmall.Admins, with.Where(l => l.Contains(",ADMIN,", StringComparison.Ordinal)).Select(l => l.Split(',')[1]));
        Assert.Contains($"{KolibriSmall.SuperuserId},admin,*,admin,ADMIN,,,,,", with);
    }

    [Fact]
    public void Rows_quote_commas_guard_formulas_blank_unspecified_demographics_and_keep_passwords()
    {
        var user = new FacilityUser
        {
            Id = "0123456789abcdef0123456789abcdef",
            Username = "-dash",
            FullName = "Say \"hi\", please",
            Identifier = "+1|2",
            BirthYear = Demographics.NotSpecified,
            Gender = Demographics.Deferred,
            EnrolledIn = ["A", "B"],
            AssignedTo = ["=C"],
            Type = UserType.CLASS_COACH,
        };
        Assert.Equal(["0123456789abcdef0123456789abcdef", "'-dash", "*", "Say \"hi\", please", "CLASS_COACH", "'+1\\|2", "", "", "A,B", "'=C"], UsersCsvExporter.ToRow(user));

        using var text = new StringWriter();
        Assert.Equal(1, new UsersCsvExporter().Write(text, [user]));
        Assert.EndsWith("0123456789abcdef0123456789abcdef,'-dash,*,\"Say \"\"hi\"\", please\",CLASS_COACH,'+1\\|2,,,\"A,B\",'=C\r\n", text.ToString());
        Assert.Equal("-12.5", CsvInjection.Sanitize("-12.5"));
    }

    [Fact]
    public void Users_are_de_duplicated_by_username_as_kolibri_does()
    {
        var first = new FacilityUser { Id = "a", Username = "same" };
        var second = new FacilityUser { Id = "b", Username = "same" };
        var rows = new UsersCsvExporter().Rows([first, second]).ToList();
        Assert.Equal("a", Assert.Single(rows)[0]);
    }

    [Fact]
    public void A_sandbox_exports_one_row_per_non_admin_user_and_the_file_reads_back_with_the_same_cells()
    {
        var sandbox = SandboxDatabase.Create(folder.File("sandbox.sqlite3"), new SandboxOptions { SampleUsers = 400, Seed = 11 });
        List<FacilityUser> users;
        using (var db = KolibriDatabase.OpenRead(sandbox.Path))
        {
            users = new UserReader(db).Read(db.DefaultFacility()).ToList();
        }

        var bytes = Export(sandbox.Path, new UsersCsvExporter(), CsvEncodings.KolibriDefault);
        Assert.Equal(Bom, bytes[..3]);
        var lines = Lines(bytes[3..]);
        var expected = users.Where(u => u.Type != UserType.ADMIN).ToList();
        Assert.Equal(expected.Count + 1, lines.Length);
        Assert.Equal(expected.Select(u => u.Id), lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.All(lines.Skip(1), l => Assert.Equal("*", l.Split(',')[2]));
        Assert.Contains(lines, l => l.Contains(",CLASS_COACH,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains(",FACILITY_COACH,", StringComparison.Ordinal));
    }

    [Fact]
    public void Cancellation_stops_the_export()
    {
        var path = folder.CopyFixtureDatabase();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        using var db = KolibriDatabase.OpenRead(path);
        using var text = new StringWriter();
        Assert.Throws<OperationCanceledException>(() => new UsersCsvExporter().Write(text, new UserReader(db).Read(db.DefaultFacility()), cancelled.Token));
    }

    [Fact]
    public void Unicode_usernames_and_names_are_written_as_utf8()
    {
        var sandbox = SandboxDatabase.Create(folder.File("u.sqlite3"), new SandboxOptions { SampleUsers = 5, Seed = 1 });
        DbFiles.Execute(sandbox.Path, "UPDATE kolibriauth_facilityuser SET username = 'Ngozi.Núñez', full_name = 'Дарья 李' WHERE id = (SELECT id FROM kolibriauth_facilityuser WHERE username <> 'admin' ORDER BY rowid LIMIT 1)");
        var text = Encoding.UTF8.GetString(Export(sandbox.Path, new UsersCsvExporter(), CsvEncodings.Utf8NoBom));
        Assert.Contains(",Ngozi.Núñez,*,Дарья 李,", text);
    }

    private static string[] Lines(byte[] bytes) =>
        Encoding.UTF8.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
}
