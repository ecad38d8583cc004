using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// The import, its journal and its undo with one test body on both engines: a copy of the SQLite fixture, and a
/// database of its PostgreSQL twin (made by real Kolibri 0.17.5 on PostgreSQL 15) on the tests' private server.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BothEnginesImportTests(PostgresServer server) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly EngineDatabases databases = new(server);

    public void Dispose()
    {
        databases.Dispose();
        folder.Dispose();
    }

    public static TheoryData<string> Engines => EngineDatabases.Engines;

    private string NewDatabase(string engine) => databases.New(engine);

    private static ImportPlan Plan(string database, UsersCsvDocument document, ImportOptions? options = null)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return new ImportPlanner(db).Plan(db.DefaultFacility(), document, options ?? new ImportOptions());
    }

    private static List<FacilityUser> Users(string database)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return new UserReader(db).Read(db.DefaultFacility()).ToList();
    }

    private static List<ImportRow> Rows(string database)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return RowsOf(db, db.DefaultFacility());
    }

    private static object? Scalar(string database, string sql, params (string Name, object Value)[] parameters)
    {
        using var db = KolibriDatabase.OpenRead(database);
        using var command = db.Command(sql);
        SqlParameters.Bind(command, parameters.Select(p => (p.Name, (object?)p.Value)));
        return command.ExecuteScalar();
    }

    private static long Count(string database, string sql, params (string Name, object Value)[] parameters) =>
        Convert.ToInt64(Scalar(database, sql, parameters), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Every user, class, membership and role of the facility, and the number of collections: what an undo must give back.</summary>
    private static string State(string database, List<ImportRow> rows)
    {
        var fingerprint = Plan(database, Document(rows)).Fingerprint;
        return string.Join("|", fingerprint.Users, fingerprint.Classes, fingerprint.Memberships, fingerprint.Roles,
            Count(database, "SELECT COUNT(*) FROM kolibriauth_collection"));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void An_import_creates_updates_and_deletes_as_kolibri_writes_them_and_a_second_plan_is_empty(string engine)
    {
        var database = NewDatabase(engine);
        var current = Rows(database);
        var gone = current.Single(r => r.Username == "learner02");
        var rows = current.Where(r => r.Username != "learner02").ToList();
        var index = rows.FindIndex(r => r.Username == "learner01");
        rows[index] = rows[index] with { FullName = "Renamed Person", Password = "n3w-pass" };
        rows.Add(NewRow(100, "newkid", UserType.CLASS_COACH, password: "kid-pass", enrolled: ["Class A", "Brand New"], assigned: ["Brand New"]) with { BirthYear = "2012", Gender = "MALE" });
        var document = Document(rows);
        var plan = Plan(database, document);
        Assert.False(plan.IsRefused, plan.RefusalReason);

        var result = ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = database, HashParallelism = 2 });

        Assert.Equal((1, 1), (result.Summary.UsersCreated, result.Summary.UsersDeleted));
        Assert.True(File.Exists(result.JournalPath));
        // On PostgreSQL a pg_dump archive, pg_dump being installed here (docs/PostgreSQL.md, Backups and restore).
        Assert.EndsWith(engine == "sqlite" ? ".sqlite3" : ".pgdump", result.BackupPath, StringComparison.Ordinal);
        var users = Users(database);
        Assert.DoesNotContain(users, u => u.Username == "learner02");
        Assert.Equal("Renamed Person", users.Single(u => u.Username == "learner01").FullName);
        var kid = users.Single(u => u.Username == "newkid");
        Assert.Equal(UserType.CLASS_COACH, kid.Type);
        Assert.Equal(["Brand New", "Class A"], kid.EnrolledIn.Order());
        Assert.Equal(["Brand New"], kid.AssignedTo);
        Assert.Equal(("2012", "MALE"), (kid.BirthYear, kid.Gender));
        Assert.Equal(1, Count(database, "SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE _morango_dirty_bit = TRUE AND id = $id", ("$id", kid.Id)));
        // Kolibri's DateTimeTzField text, on PostgreSQL too (a varchar there).
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\(Etc/UTC\)$", (string)Scalar(database, "SELECT date_joined FROM kolibriauth_facilityuser WHERE id = $id", ("$id", kid.Id))!);
        Assert.Equal(1, Count(database, "SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $id", ("$id", gone.Uuid!)));
        Assert.Equal(0, Count(database, "SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $id", ("$id", gone.Uuid!)));

        Assert.True(Plan(database, Document(Rows(database))).IsEmpty);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Undo_gives_back_every_user_class_membership_and_role_and_drops_their_deletion_records(string engine)
    {
        var database = NewDatabase(engine);
        var current = Rows(database);
        var before = State(database, current);
        var rows = current.Where(r => r.Username is not "learner02" and not "ccoach1").ToList();
        var index = rows.FindIndex(r => r.Username == "learner01");
        rows[index] = rows[index] with { FullName = "Renamed Person", Password = "n3w-pass", EnrolledIn = ["Class B"] };
        rows.Add(NewRow(100, "newkid", password: "kid-pass", enrolled: ["Brand New"]));
        var document = Document(rows);
        var result = ImportApplier.Apply(Plan(database, document), document, new ImportApplyOptions { DatabasePath = database, Backup = false, HashParallelism = 2 });
        Assert.NotEqual(before, State(database, current));

        var undo = UndoApplier.Apply(ImportJournal.Read(result.JournalPath!), new UndoApplyOptions { DatabasePath = database, Backup = false });

        Assert.Empty(undo.Refused);
        Assert.Equal(before, State(database, current));
        Assert.Equal(current.Select(r => (r.Username, r.FullName)).Order(), Rows(database).Select(r => (r.Username, r.FullName)).Order());
        foreach (var id in current.Where(r => r.Username is "learner02" or "ccoach1").Select(r => r.Uuid!))
        {
            Assert.Equal(0, Count(database, "SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $id", ("$id", id)));
            Assert.Equal(0, Count(database, "SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $id", ("$id", id)));
        }
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void While_another_writer_holds_the_facility_tables_the_import_waits_then_fails_busy_and_writes_nothing(string engine)
    {
        var database = NewDatabase(engine);
        var current = Rows(database);
        var document = Document(current.Append(NewRow(100, "newkid", password: "kid-pass")));
        var plan = Plan(database, document);

        using (var other = KolibriDatabase.OpenWrite(database))
        using (var held = other.BeginWrite())
        {
            var error = Assert.Throws<KolibriDatabaseException>(() => ImportApplier.Apply(plan, document,
                new ImportApplyOptions { DatabasePath = database, Backup = false, HashParallelism = 2, BusyTimeout = TimeSpan.FromSeconds(1) }));
            Assert.Equal(DatabaseProblem.Busy, error.Problem);
            Assert.Contains("Nothing was changed", error.Message, StringComparison.Ordinal);
            held.Rollback();
        }

        Assert.DoesNotContain(Users(database), u => u.Username == "newkid");
    }

    [Fact]
    public void On_postgres_a_kolibri_row_lock_makes_the_import_wait_then_fail_busy_and_write_nothing()
    {
        // Kolibri's own writes take row locks (ROW EXCLUSIVE), not the table lock this module takes.
        using var database = server.CreateDatabase();
        var current = Rows(database.Home.Path);
        var document = Document(current.Append(NewRow(100, "newkid", password: "kid-pass")));
        var plan = Plan(database.Home.Path, document);
        using var kolibri = new Npgsql.NpgsqlConnection(database.ConnectionString);
        kolibri.Open();
        using var held = kolibri.BeginTransaction();
        using (var touch = new Npgsql.NpgsqlCommand("UPDATE kolibriauth_facilityuser SET full_name = full_name WHERE username = 'learner01'", kolibri, held))
        {
            Assert.Equal(1, touch.ExecuteNonQuery());
        }

        var error = Assert.Throws<KolibriDatabaseException>(() => ImportApplier.Apply(plan, document,
            new ImportApplyOptions { DatabasePath = database.Home.Path, Backup = false, HashParallelism = 2, BusyTimeout = TimeSpan.FromSeconds(1) }));

        Assert.Equal(DatabaseProblem.Busy, error.Problem);
        Assert.Contains("more than 1 s", error.Message, StringComparison.Ordinal);
        held.Rollback();
        Assert.DoesNotContain(Users(database.Home.Path), u => u.Username == "newkid");
        Assert.Empty(Directory.Exists(Path.Combine(database.Home.Path, "backups")) ? Directory.GetFiles(Path.Combine(database.Home.Path, "backups")) : []);
    }

    /// <summary>A Kolibri transaction holding a row lock of the users table, as its own writes do.</summary>
    private static (Npgsql.NpgsqlConnection Connection, Npgsql.NpgsqlTransaction Transaction) KolibriRowLock(PostgresTestDatabase database)
    {
        var kolibri = new Npgsql.NpgsqlConnection(database.ConnectionString);
        kolibri.Open();
        var held = kolibri.BeginTransaction();
        using var touch = new Npgsql.NpgsqlCommand("UPDATE kolibriauth_facilityuser SET full_name = full_name WHERE username = 'learner01'", kolibri, held);
        Assert.Equal(1, touch.ExecuteNonQuery());
        return (kolibri, held);
    }

    /// <summary>The module's sessions still in a transaction or waiting for a lock.</summary>
    private static string ModuleSessionsLeft(PostgresTestDatabase database) => database.Sql(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'KolibriFacility' AND (state LIKE 'idle in transaction%' OR wait_event_type = 'Lock')").Trim();

    [Fact]
    public void On_postgres_cancelling_while_the_import_waits_for_a_kolibri_lock_stops_it_at_once_and_writes_nothing()
    {
        using var database = server.CreateDatabase();
        var document = Document(Rows(database.Home.Path).Append(NewRow(100, "newkid", password: "kid-pass")));
        var plan = Plan(database.Home.Path, document);
        var (kolibri, held) = KolibriRowLock(database);
        using (kolibri)
        using (held)
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var clock = System.Diagnostics.Stopwatch.StartNew();

            Assert.ThrowsAny<OperationCanceledException>(() => ImportApplier.Apply(plan, document,
                new ImportApplyOptions { DatabasePath = database.Home.Path, HashParallelism = 2, BusyTimeout = TimeSpan.FromSeconds(120) }, cancel.Token));

            // Not when the lock wait (120 s) or Npgsql's command timeout (30 s) ends: at the cancellation.
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), $"the import stopped only after {clock.Elapsed}");
            Assert.Equal("0", ModuleSessionsLeft(database));
            held.Rollback();
        }

        Assert.DoesNotContain(Users(database.Home.Path), u => u.Username == "newkid");
        var backups = Path.Combine(database.Home.Path, "backups");
        Assert.Empty(Directory.Exists(backups) ? Directory.GetFiles(backups) : []);
        Assert.Equal(1, ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = database.Home.Path, HashParallelism = 2, BusyTimeout = TimeSpan.FromSeconds(2) }).Summary.UsersCreated);
    }

    [Fact]
    public async Task On_postgres_an_import_waits_for_a_kolibri_lock_as_long_as_its_timeout_says_even_past_30_s()
    {
        // Npgsql's default command timeout is 30 s: it must not cut a lock wait that -TimeoutSec allows.
        using var database = server.CreateDatabase();
        var document = Document(Rows(database.Home.Path).Append(NewRow(100, "newkid", password: "kid-pass")));
        var plan = Plan(database.Home.Path, document);
        var (kolibri, held) = KolibriRowLock(database);
        using (kolibri)
        using (held)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var release = Task.Delay(TimeSpan.FromSeconds(33)).ContinueWith(_ => held.Rollback(), TaskScheduler.Default);

            var result = ImportApplier.Apply(plan, document,
                new ImportApplyOptions { DatabasePath = database.Home.Path, Backup = false, HashParallelism = 2, BusyTimeout = TimeSpan.FromSeconds(90) });

            // The lock is held for 33 s, so an import that got it waited past the 30 s; the release task's own completion
            // may come a moment after the import's, so it is awaited rather than checked.
            Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(32), $"the import did not wait for the lock ({clock.Elapsed})");
            await release.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(1, result.Summary.UsersCreated);
        }

        Assert.Contains(Users(database.Home.Path), u => u.Username == "newkid");
    }

    [Fact]
    public void An_explicit_postgres_connection_imports_with_its_journal_where_asked_and_no_password_in_it()
    {
        using var database = server.CreateDatabase();
        var settings = Storage.Postgres.PostgresSettings.FromConnectionString(database.ConnectionString);
        var document = Document(Rows(database.Home.Path).Append(NewRow(100, "viaconn", password: "conn-pass")));
        ImportPlan plan;
        using (var db = KolibriDatabase.OpenPostgres(settings, readOnly: true))
        {
            plan = new ImportPlanner(db).Plan(db.DefaultFacility(), document, new ImportOptions());
        }

        var result = ImportApplier.Apply(plan, document, new ImportApplyOptions
        {
            DatabasePath = settings.Describe(), Connection = settings, BackupFolder = folder.File("journals"), HashParallelism = 2,
        });

        Assert.Equal(1, result.Summary.UsersCreated);
        Assert.StartsWith(folder.File("journals"), result.BackupPath, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, result.BackupPath, StringComparison.Ordinal);
        Assert.StartsWith(folder.File("journals"), result.JournalPath, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, File.ReadAllText(result.JournalPath!), StringComparison.Ordinal);
        Assert.Contains(Users(database.Home.Path), u => u.Username == "viaconn");
    }
}
