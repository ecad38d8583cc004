using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Edit;

/// <summary>
/// The eight user and class cmdlets with one test body on both engines: a copy of the SQLite fixture, and a copy of
/// its PostgreSQL twin (a KOLIBRI_HOME whose options.ini says postgres); and on PostgreSQL, a Kolibri that holds a
/// row of the facility makes them wait, then fail with DatabaseBusy.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BothEnginesEditCmdletTests(PostgresServer server) : HostedModuleTest
{
    private EngineDatabase? database;

    private EngineDatabase Database => database ?? throw new InvalidOperationException("Open(engine) first.");

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Database.Database,
        ["Dir"] = Home.Path,
        ["Pw"] = new System.Net.NetworkCredential("", "Maria-Pass-42").SecurePassword,
    };

    private EngineDatabase Open(string engine) => database = EngineDatabase.Create(engine, Db, server);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            database?.Dispose();
        }

        base.Dispose(disposing);
    }

    private string IdOf(string table, string where) => Database.Scalar($"SELECT {EngineDatabase.Id("id")} FROM {table} WHERE {where}");

    private List<string> Members(string className, string table) => Database.Rows($"""
        SELECT u.username FROM {table} m JOIN kolibriauth_facilityuser u ON u.id = m.user_id
        JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE c.name = '{className}' ORDER BY 1
        """).Select(r => r[0]).ToList();

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void New_Set_and_Remove_FacilityUser_write_as_Kolibri_does_and_WhatIf_writes_nothing(string engine)
    {
        Open(engine);
        var created = Assert.Single(Ok("New-FacilityUser -Database $Db -Username maria -FullName 'Maria Lopez' -Password $Pw -Class 'class a' -BirthYear 2016 -Gender female -PassThru").Output);
        Assert.Equal(["Class A"], (IEnumerable<string>)created.Properties["EnrolledIn"].Value);
        Assert.Equal(Database.Database, created.Properties["Database"].Value);
        Assert.True(KolibriPasswords.Match("Maria-Pass-42", Database.Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'maria'")));
        Assert.Equal("1|FEMALE|2016", string.Join("|", Database.Rows("SELECT _morango_dirty_bit, gender, birth_year FROM kolibriauth_facilityuser WHERE username = 'maria'").Single()));
        Assert.Single(Directory.GetFiles(Database.Backups, "*.journal.jsonl"));

        var updated = Assert.Single(Ok("Get-FacilityUser -Database $Db maria | Set-FacilityUser -FullName 'Maria L. Lopez' -UserType CLASS_COACH -AssignTo 'Reading Club' -PassThru").Output);
        Assert.Equal(("Maria L. Lopez", "CLASS_COACH"), ((string)updated.Properties["FullName"].Value, updated.Properties["UserType"].Value.ToString()));
        Assert.Equal(["maria"], Members("Reading Club", "kolibriauth_role").Where(u => u == "maria"));

        var id = IdOf("kolibriauth_facilityuser", "username = 'maria'");
        var before = Database.Digest();
        Assert.Equal(["What if: Delete user 'maria'"], Ok("Remove-FacilityUser -Database $Db maria -WhatIf").WhatIf.Select(l => l.Split(" (")[0]));
        Assert.Equal(before, Database.Digest());

        Ok("Get-FacilityUser -Database $Db maria | Remove-FacilityUser -Confirm:$false");
        Assert.Equal("0", Database.Scalar("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'maria'"));
        Assert.Equal("1", Database.Scalar($"SELECT COUNT(*) FROM morango_harddeletedmodels WHERE {EngineDatabase.Id("id")} = '{id}'"));
        Assert.Equal("0", Database.Scalar($"SELECT COUNT(*) FROM kolibriauth_role WHERE {EngineDatabase.Id("user_id")} = '{id}'"));
        Assert.Equal(3, Directory.GetFiles(Database.Backups, "*.journal.jsonl").Length);

        // Every edit is journalled: the newest one (the deletion) undoes like an import.
        Ok("Undo-FacilityImport -Database $Db -Last -Confirm:$false");
        Assert.Equal("Maria L. Lopez", Assert.Single(Ok("Get-FacilityUser -Database $Db maria").Output).Properties["FullName"].Value);
    }

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void New_Set_and_Remove_FacilityClass_and_class_members_write_as_Kolibri_does(string engine)
    {
        Open(engine);
        var created = Assert.Single(Ok("New-FacilityClass -Database $Db 'Grade 4 A' -PassThru").Output);
        Assert.Equal("Grade 4 A", created.Properties["Name"].Value);
        var id = IdOf("kolibriauth_collection", "name = 'Grade 4 A'");
        Assert.Equal(id, created.Properties["Id"].Value);

        var learners = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER").Output.Select(o => (string)o.Properties["Username"].Value).Order(StringComparer.Ordinal).ToList();
        var before = Database.Digest();
        var whatIf = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Add-FacilityClassMember -Class 'Grade 4 A' -WhatIf").WhatIf;
        Assert.Equal(learners.Select(l => $"What if: Enrol '{l}' in class 'Grade 4 A'").Order(StringComparer.Ordinal), whatIf.Order(StringComparer.Ordinal));
        Assert.Equal(before, Database.Digest());

        var added = Ok("Get-FacilityUser -Database $Db -Class 'Class B' -UserType LEARNER | Add-FacilityClassMember -Class 'Grade 4 A' -PassThru");
        Assert.Equal(learners.Count, added.Output.Count);
        Assert.Equal(learners, Members("Grade 4 A", "kolibriauth_membership"));
        Ok("Add-FacilityClassMember -Database $Db 'Grade 4 A' ccoach1 -Role Coach");
        Assert.Equal(["ccoach1"], Members("Grade 4 A", "kolibriauth_role"));

        var removed = Ok($"Remove-FacilityClassMember -Database $Db 'Grade 4 A' {learners[0]} -Confirm:$false -PassThru");
        Assert.DoesNotContain("Grade 4 A", (IEnumerable<string>)Assert.Single(removed.Output).Properties["EnrolledIn"].Value);
        Assert.Equal(learners.Skip(1), Members("Grade 4 A", "kolibriauth_membership"));

        var renamed = Assert.Single(Ok("Get-FacilityClass -Database $Db 'Grade 4 A' | Set-FacilityClass -NewName 'Grade 4 Blue' -PassThru").Output);
        Assert.Equal((id, "Grade 4 Blue"), ((string)renamed.Properties["Id"].Value, (string)renamed.Properties["Name"].Value));
        Assert.Equal("1", Database.Scalar($"SELECT _morango_dirty_bit FROM kolibriauth_collection WHERE {EngineDatabase.Id("id")} = '{id}'"));
        Assert.Equal(learners.Skip(1), Members("Grade 4 Blue", "kolibriauth_membership"));

        Ok("Remove-FacilityClass -Database $Db 'Grade 4 Blue' -Confirm:$false");
        Assert.Equal("0", Database.Scalar($"SELECT COUNT(*) FROM kolibriauth_collection WHERE {EngineDatabase.Id("id")} = '{id}'"));
        Assert.Equal("0", Database.Scalar($"SELECT COUNT(*) FROM kolibriauth_membership WHERE {EngineDatabase.Id("collection_id")} = '{id}'"));
        Assert.Equal("1", Database.Scalar($"SELECT COUNT(*) FROM morango_deletedmodels WHERE {EngineDatabase.Id("id")} = '{id}'"));
    }

    [Fact]
    public void On_postgres_a_kolibri_row_lock_makes_an_edit_wait_then_fail_with_DatabaseBusy_and_write_nothing()
    {
        Open("postgres");
        var before = Database.Digest();
        using var kolibri = new Npgsql.NpgsqlConnection(Database.ConnectionString + ";Pooling=false");
        kolibri.Open();
        using (var held = kolibri.BeginTransaction())
        {
            using (var touch = new Npgsql.NpgsqlCommand("UPDATE kolibriauth_facilityuser SET full_name = full_name WHERE username = 'learner01'", kolibri, held))
            {
                Assert.Equal(1, touch.ExecuteNonQuery());
            }

            var result = Run("Set-FacilityUser -Database $Db learner02 -FullName 'Busy Test' -TimeoutSec 1");
            var error = Assert.Single(result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]));
            Assert.Equal("DatabaseBusy,KolibriFacility.PowerShell.Commands.SetFacilityUserCommand", error.FullyQualifiedErrorId);
            Assert.Contains(Database.Database, error.Exception.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(PostgresServer.Password, error.ToString() + error.ErrorDetails?.RecommendedAction, StringComparison.Ordinal);
            held.Rollback();
        }

        Assert.Equal(before, Database.Digest());
    }

    [Fact]
    public void On_postgres_a_user_who_may_only_read_gets_DatabaseReadOnly_and_nothing_is_written()
    {
        Open("postgres");
        // Roles belong to the whole cluster: one of its own per test.
        var reader = "kf_reader_" + Guid.NewGuid().ToString("N")[..8];
        Database.Execute($"CREATE ROLE {reader} LOGIN PASSWORD 'Reader-Pass-5'; GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}");
        var before = Database.Digest();
        var vars = Vars;
        vars["Cs"] = System.Text.RegularExpressions.Regex.Replace(Database.ConnectionString!, "Username=[^;]*;?|Password=[^;]*;?", "");
        vars["Credential"] = new System.Management.Automation.PSCredential(reader, new System.Net.NetworkCredential("", "Reader-Pass-5").SecurePassword);
        var result = Session.Run("$env:KOLIBRI_HOME = $Dir; try { Set-FacilityUser -ConnectionString $Cs -DatabaseCredential $Credential learner02 -FullName 'Not Allowed' } finally { $env:KOLIBRI_HOME = $null }", vars);

        var error = Assert.Single(result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]));
        Assert.Equal("DatabaseReadOnly,KolibriFacility.PowerShell.Commands.SetFacilityUserCommand", error.FullyQualifiedErrorId);
        Assert.Contains($"postgres://{reader}@127.0.0.1:", error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Reader-Pass-5", error.ToString() + error.Exception + error.ErrorDetails?.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(before, Database.Digest());
        Assert.Empty(Directory.Exists(Home.File("backups")) ? Directory.GetFiles(Home.File("backups")) : []);
    }
}
