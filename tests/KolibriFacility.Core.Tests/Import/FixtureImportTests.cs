using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// The proof the import issue asks for, end to end through the real reader, planner, applier and exporter, against
/// the files Kolibri 0.17.5 itself produced.
/// </summary>
public sealed class FixtureImportTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Reimporting_Kolibris_own_export_is_a_plan_with_no_changes_and_no_errors()
    {
        var path = folder.CopyFixtureDatabase();
        var document = UsersCsvReader.Read(TestPaths.Fixture("users-export.csv"));
        Assert.Empty(document.Errors);

        var plan = Plan(path, document);
        Assert.Empty(plan.Errors);
        Assert.Empty(plan.Changes);
        Assert.True(plan.IsEmpty);
        Assert.False(plan.IsRefused);
        Assert.Equal(document.Rows.Count, plan.Summary.UsersUnchanged);
    }

    [Fact]
    public void Importing_Kolibris_import_file_into_an_empty_sandbox_gives_the_users_roles_memberships_and_classes_Kolibri_made()
    {
        var sandbox = folder.File("sandbox/db.sqlite3");
        SandboxDatabase.Create(sandbox, new SandboxOptions { FacilityName = "Demo Facility", SampleUsers = 0 });
        var document = UsersCsvReader.Read(TestPaths.Fixture("users-import.csv"));
        Assert.Empty(document.Errors);

        var plan = Plan(sandbox, document);
        Assert.Empty(plan.Errors);
        Assert.False(plan.IsRefused);
        var result = ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = sandbox, Backup = false });
        Assert.Equal(document.Rows.Count, result.Summary.UsersCreated);

        // Compare what Kolibri's export shows (ids differ: they are random for new users), admins included.
        var kolibri = ExportWithoutIds(TestPaths.FixtureDatabase);
        var ours = ExportWithoutIds(sandbox);
        Assert.True(kolibri.SequenceEqual(ours),
            "Kolibri only: " + string.Join(" ; ", kolibri.Except(ours)) + Environment.NewLine + "ours only: " + string.Join(" ; ", ours.Except(kolibri)));
        Assert.Equal(ClassNames(TestPaths.FixtureDatabase), ClassNames(sandbox));

        // Passwords we hashed verify as Kolibri's do (every imported user's password is pass123; five checked, each takes 0.1 s).
        var hashes = ImportedPasswordHashes(sandbox);
        Assert.Equal(50, hashes.Count);
        foreach (var hash in hashes.Take(5))
        {
            Assert.StartsWith("pbkdf2_sha256$260000$", hash, StringComparison.Ordinal);
            Assert.True(DjangoPassword.Verify("pass123", hash));
        }
    }

    [Fact]
    public void Our_verifier_accepts_the_fixtures_own_hashes()
    {
        var hashes = ImportedPasswordHashes(TestPaths.FixtureDatabase);
        Assert.Equal(50, hashes.Count);
        Assert.All(hashes.Take(5), h => Assert.True(DjangoPassword.Verify("pass123", h)));
        Assert.False(DjangoPassword.Verify("pass124", hashes[0]));
    }

    [Fact]
    public void An_export_of_an_imported_sandbox_reimports_with_no_changes()
    {
        var sandbox = folder.File("sandbox/db.sqlite3");
        SandboxDatabase.Create(sandbox, new SandboxOptions { SampleUsers = 0 });
        var document = UsersCsvReader.Read(TestPaths.Fixture("users-import.csv"));
        ImportApplier.Apply(Plan(sandbox, document), document, new ImportApplyOptions { DatabasePath = sandbox, Backup = false });

        var export = folder.File("export.csv");
        using (var db = KolibriDatabase.OpenRead(sandbox))
        using (var stream = File.Create(export))
        {
            var facility = db.DefaultFacility();
            new UsersCsvExporter().Write(stream, new UTF8Encoding(true), new UserReader(db).Read(facility));
        }

        var again = Plan(sandbox, UsersCsvReader.Read(export));
        Assert.Empty(again.Errors);
        Assert.Empty(again.Changes);
    }

    private static ImportPlan Plan(string path, UsersCsvDocument document)
    {
        using var db = KolibriDatabase.OpenRead(path);
        return new ImportPlanner(db).Plan(db.DefaultFacility(), document, new ImportOptions());
    }

    /// <summary>The export's lines with the UUID cell dropped, class lists sorted, and the lines sorted.</summary>
    private static List<string> ExportWithoutIds(string path)
    {
        using var db = KolibriDatabase.OpenRead(path);
        var facility = db.DefaultFacility();
        return new UsersCsvExporter { IncludeAdmins = true }.Rows(new UserReader(db).Read(facility))
            .Where(cells => cells[1] != "admin")  // the device superuser made at set-up, not by the import
            .Select(cells => string.Join("|", cells.Skip(1).Select((c, i) => i >= 7 ? SortedList(c) : c)))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string SortedList(string cell) => string.Join(",", cell.Split(',').Order(StringComparer.Ordinal));

    private static List<string> ClassNames(string path) =>
        FirstColumn(path, "SELECT name FROM kolibriauth_collection WHERE kind = 'classroom' ORDER BY name");

    private static List<string> ImportedPasswordHashes(string path) =>
        FirstColumn(path, "SELECT password FROM kolibriauth_facilityuser WHERE username <> 'admin' ORDER BY username");

    private static List<string> FirstColumn(string path, string sql) => DbFiles.Rows(path, sql).Select(r => r[0]).ToList();
}
