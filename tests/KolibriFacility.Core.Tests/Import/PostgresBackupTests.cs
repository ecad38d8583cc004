using KolibriFacility.Core.Backups;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Storage.Postgres;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using Npgsql;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// Backups on a PostgreSQL-backed Kolibri (docs/PostgreSQL.md, Backups and restore), on the tests' private server with
/// Debian's real pg_dump and pg_restore: the dump an import takes under its lock, the journal alone without pg_dump, a
/// failing pg_dump, and the restore.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBackupTests(PostgresServer server) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly List<IDisposable> owned = [];

    public void Dispose()
    {
        owned.ForEach(d => d.Dispose());
        folder.Dispose();
    }

    private PostgresTestDatabase NewDatabase()
    {
        var database = server.CreateDatabase();
        owned.Add(database);
        return database;
    }

    /// <summary>Tools found only in <paramref name="binFolder"/>, as $env:KOLIBRIFACILITY_PG_BIN would say.</summary>
    private static PostgresClientTools ToolsIn(string binFolder) =>
        new(name => name == PostgresClientTools.FolderVariable ? binFolder : Environment.GetEnvironmentVariable(name));

    private static string RealBin => Path.GetDirectoryName(PostgresClientTools.Default.Find("pg_dump", 15).Tool!.Path)!;

    /// <summary>A shell script as a program (the tests run on Linux, as the PostgreSQL suite does).</summary>
    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static List<ImportRow> Rows(string home)
    {
        using var db = KolibriDatabase.OpenRead(home);
        return RowsOf(db, db.DefaultFacility());
    }

    /// <summary>Every user of the facility with their name, kind, classes and roles: what a restore must give back.</summary>
    private static List<string> State(string home)
    {
        using var db = KolibriDatabase.OpenRead(home);
        return new UserReader(db).Read(db.DefaultFacility())
            .Select(u => string.Join("|", u.Id, u.Username, u.FullName, u.Type, string.Join(",", u.EnrolledIn.Order()), string.Join(",", u.AssignedTo.Order())))
            .Order(StringComparer.Ordinal).ToList();
    }

    private static ImportResult Import(string home, IEnumerable<ImportRow> rows, PostgresClientTools? tools = null, TimeSpan? busyTimeout = null,
        IProgress<ImportProgress>? progress = null, CancellationToken cancellation = default)
    {
        var document = Document(rows);
        ImportPlan plan;
        using (var db = KolibriDatabase.OpenRead(home))
        {
            plan = new ImportPlanner(db).Plan(db.DefaultFacility(), document, new ImportOptions());
        }

        return ImportApplier.Apply(plan, document, new ImportApplyOptions
        {
            DatabasePath = home,
            HashParallelism = 2,
            PostgresTools = tools,
            BusyTimeout = busyTimeout ?? TimeSpan.FromSeconds(30),
            Progress = progress,
        }, cancellation);
    }

    /// <summary>A pg_dump that waits <paramref name="seconds"/> (in short sleeps, so a kill ends it at once) before it runs the real one.</summary>
    private string SlowPgDump(string name, int seconds)
    {
        var bin = Directory.CreateDirectory(folder.File(name)).FullName;
        var wrapper = Path.Combine(bin, "pg_dump");
        File.WriteAllText(wrapper, $"#!/bin/sh\n[ \"$1\" = --version ] && exec '{Path.Combine(RealBin, "pg_dump")}' --version\n"
            + $"i=0\nwhile [ $i -lt {seconds * 10} ]; do sleep 0.1; i=$((i+1)); done\nexec '{Path.Combine(RealBin, "pg_dump")}' \"$@\"\n");
        MakeExecutable(wrapper);
        return bin;
    }

    /// <summary>Every report, on the reporting thread (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Reports(Action<ImportProgress>? onReport = null) : IProgress<ImportProgress>
    {
        public System.Collections.Concurrent.ConcurrentQueue<ImportProgress> All { get; } = new();

        public void Report(ImportProgress value)
        {
            All.Enqueue(value);
            onReport?.Invoke(value);
        }
    }

    private static List<ImportRow> Changed(List<ImportRow> current) =>
        current.Where(r => r.Username != "learner02")
            .Append(NewRow(100, "newkid", UserType.LEARNER, password: "kid-pass", enrolled: ["Class A"]))
            .ToList();

    [Fact]
    public void An_import_takes_an_owner_only_pg_dump_under_its_lock_and_restoring_it_gives_back_the_state_before()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var before = State(home);

        var result = Import(home, Changed(Rows(home)));

        var dump = Assert.IsType<string>(result.BackupPath);
        Assert.Null(result.NoBackupReason);
        Assert.Equal(Path.Combine(home, "backups"), Path.GetDirectoryName(dump));
        Assert.Matches(@"^db-[A-Za-z0-9_-]+-\d{8}T\d{6}Z\.pgdump$", Path.GetFileName(dump));
        Assert.Equal(dump, ImportJournal.Read(result.JournalPath!).BackupPath);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(dump)!, ".*partial*"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dump));
        }

        Assert.StartsWith("PGDMP", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(dump), 0, 5)); // pg_dump's custom format
        Assert.DoesNotContain(PostgresServer.Password, dump + result.JournalPath + File.ReadAllText(result.JournalPath!));
        Assert.NotEqual(before, State(home));
        var listed = BackupCatalog.List(Path.Combine(home, "backups"), home);
        Assert.Equal((BackupKind.Import, dump), (Assert.Single(listed).Kind, listed[0].Path));

        var restored = DatabaseRestorer.Restore(dump, new RestoreOptions { DatabasePath = home });

        Assert.Equal(before, State(home));
        Assert.EndsWith(".pgdump", restored.SafetyCopyPath, StringComparison.Ordinal);
        Assert.Contains(DatabaseRestorer.SafetyCopyLabel, restored.SafetyCopyPath, StringComparison.Ordinal);
        Assert.Contains(BackupCatalog.List(Path.Combine(home, "backups"), home), b => b.Kind == BackupKind.Restore && b.Path == restored.SafetyCopyPath);

        // The safety dump holds the state after the import: restoring it goes forward again.
        DatabaseRestorer.Restore(restored.SafetyCopyPath, new RestoreOptions { DatabasePath = home });
        Assert.Contains(State(home), s => s.Contains("|newkid|", StringComparison.Ordinal));
    }

    [Fact]
    public void The_password_goes_to_pg_dump_in_its_environment_never_on_its_command_line()
    {
        var database = NewDatabase();
        var bin = Directory.CreateDirectory(folder.File("bin")).FullName;
        var argv = folder.File("argv.txt");
        var wrapper = Path.Combine(bin, "pg_dump");
        File.WriteAllText(wrapper, $"#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{argv}'\n[ -n \"$PGPASSWORD\" ] && echo password-in-environment >> '{argv}'\nexec '{Path.Combine(RealBin, "pg_dump")}' \"$@\"\n");
        MakeExecutable(wrapper);

        var result = Import(database.Home.Path, Changed(Rows(database.Home.Path)), ToolsIn(bin));

        Assert.NotNull(result.BackupPath);
        var logged = File.ReadAllText(argv);
        Assert.Contains("--format=custom", logged);
        Assert.Contains("password-in-environment", logged);
        Assert.DoesNotContain(PostgresServer.Password, logged);
    }

    [Fact]
    public void While_pg_dump_runs_the_import_reports_the_backup_stage_with_the_time_elapsed()
    {
        var database = NewDatabase();
        var reports = new Reports();

        var result = Import(database.Home.Path, Changed(Rows(database.Home.Path)), ToolsIn(SlowPgDump("slow", 1)), progress: reports);

        Assert.NotNull(result.BackupPath);
        var backup = reports.All.Where(r => r.Stage == ImportApplier.BackupStage).ToList();
        Assert.True(backup.Count >= 3, $"{backup.Count} backup reports");
        Assert.All(backup, r => Assert.NotNull(r.Elapsed));
        Assert.True(backup[^1].Elapsed >= TimeSpan.FromSeconds(1));
        Assert.All(reports.All.Where(r => r.Stage != ImportApplier.BackupStage), r => Assert.Null(r.Elapsed));
        var stages = reports.All.Select(r => r.Stage).Distinct().ToList();
        Assert.Equal([ImportApplier.HashingStage, ImportApplier.BackupStage, ImportApplier.WritingStage], stages);
    }

    [Fact]
    public void Cancelling_while_pg_dump_runs_kills_it_removes_its_partial_file_and_writes_nothing()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var before = State(home);
        using var cancel = new CancellationTokenSource();
        var reports = new Reports(r =>
        {
            if (r.Stage == ImportApplier.BackupStage)
            {
                cancel.Cancel();
            }
        });
        var bin = SlowPgDump("slow", 30);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        Assert.ThrowsAny<OperationCanceledException>(() => Import(home, Changed(Rows(home)), ToolsIn(bin), progress: reports, cancellation: cancel.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(25), "pg_dump was not killed: the import waited for it");
        Assert.Equal(before, State(home));
        var backups = Path.Combine(home, "backups");
        Assert.Empty(Directory.Exists(backups) ? Directory.GetFiles(backups) : []);
        Assert.DoesNotContain(Directory.GetDirectories("/proc"), p => ReadCommandLine(p).Contains(bin, StringComparison.Ordinal));
        Assert.Equal("0", database.Sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'").Trim());

        // Nothing is held: the next import gets its locks at once.
        Assert.NotNull(Import(home, Changed(Rows(home)), busyTimeout: TimeSpan.FromSeconds(2)).BackupPath);
    }

    private static string ReadCommandLine(string procFolder)
    {
        try
        {
            return File.ReadAllText(Path.Combine(procFolder, "cmdline"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    [Fact]
    public void Without_pg_dump_the_journal_is_what_is_kept_and_the_reason_says_where_it_looked()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var current = Rows(home);
        var before = State(home);
        var empty = Directory.CreateDirectory(folder.File("no-tools")).FullName;

        var result = Import(home, Changed(current), ToolsIn(empty));

        Assert.Null(result.BackupPath);
        Assert.Contains("no pg_dump was found", result.NoBackupReason);
        Assert.Contains(empty, result.NoBackupReason);
        Assert.True(File.Exists(result.JournalPath));
        Assert.Empty(Directory.GetFiles(Path.Combine(home, "backups"), "*.pgdump"));
        Assert.Equal(BackupKind.JournalOnly, Assert.Single(BackupCatalog.List(Path.Combine(home, "backups"), home)).Kind);

        var undo = UndoApplier.Apply(ImportJournal.Read(result.JournalPath!), new UndoApplyOptions { DatabasePath = home, PostgresTools = ToolsIn(empty) });
        Assert.Null(undo.BackupPath);
        Assert.Contains("no pg_dump was found", undo.NoBackupReason);
        Assert.Equal(before, State(home));
    }

    [Fact]
    public void A_pg_dump_older_than_the_server_is_not_used()
    {
        var bin = Directory.CreateDirectory(folder.File("old")).FullName;
        var old = Path.Combine(bin, "pg_dump");
        File.WriteAllText(old, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 11.2'\n");
        MakeExecutable(old);

        var (tool, why) = ToolsIn(bin).Find("pg_dump", 15);

        Assert.Null(tool);
        Assert.Contains("PostgreSQL 11", why);
        Assert.Contains("older than the server (PostgreSQL 15)", why);
    }

    [Fact]
    public void When_pg_dump_fails_the_import_stops_with_its_message_and_writes_nothing()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var before = State(home);
        // Another session holds a table the import does not lock, as a long DDL would: pg_dump waits for it only so long.
        using var blocker = new NpgsqlConnection(database.ConnectionString + ";Pooling=false");
        blocker.Open();
        using var transaction = blocker.BeginTransaction();
        using (var lockTable = new NpgsqlCommand("LOCK TABLE logger_contentsessionlog IN ACCESS EXCLUSIVE MODE", blocker, transaction))
        {
            lockTable.ExecuteNonQuery();
        }

        var added = Rows(home).Append(NewRow(100, "newkid", UserType.LEARNER, password: "kid-pass"));
        var error = Assert.Throws<BackupException>(() => Import(home, added, busyTimeout: TimeSpan.FromSeconds(1)));

        transaction.Rollback();
        Assert.Equal(BackupProblem.DumpFailed, error.Problem);
        Assert.Contains("pg_dump", error.Message);
        Assert.Contains("exit code 1", error.Message);
        Assert.Contains("logger_contentsessionlog", error.Message);
        Assert.DoesNotContain(PostgresServer.Password, error.Message);
        Assert.Equal(before, State(home));
        Assert.Empty(Directory.Exists(Path.Combine(home, "backups")) ? Directory.GetFileSystemEntries(Path.Combine(home, "backups")) : []);
    }

    [Fact]
    public void A_restore_refuses_while_others_are_connected_without_pg_restore_or_from_an_sqlite_backup_and_changes_nothing()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var result = Import(home, Changed(Rows(home)));
        var after = State(home);
        var dump = result.BackupPath!;

        using (var other = new NpgsqlConnection(database.ConnectionString + ";Pooling=false;Application Name=Kolibri"))
        {
            other.Open();
            var busy = Assert.Throws<RestoreException>(() => DatabaseRestorer.Restore(dump, new RestoreOptions { DatabasePath = home }));
            Assert.Equal(RestoreProblem.KolibriRunning, busy.Problem);
            Assert.Contains("Kolibri", busy.Message);
        }

        var empty = Directory.CreateDirectory(folder.File("no-tools")).FullName;
        var missing = Assert.Throws<RestoreException>(() => DatabaseRestorer.Restore(dump, new RestoreOptions { DatabasePath = home, PostgresTools = ToolsIn(empty) }));
        Assert.Equal(RestoreProblem.ToolNotFound, missing.Problem);
        Assert.Contains("pg_restore --clean --if-exists --single-transaction", missing.Message);
        Assert.Contains(dump, missing.Message);
        Assert.Contains("-d " + database.Name, missing.Message);
        Assert.DoesNotContain(PostgresServer.Password, missing.Message);

        var sqlite = folder.CopyFixtureDatabase("db-copy.sqlite3");
        Assert.Equal(RestoreProblem.OtherEngine, Assert.Throws<RestoreException>(() => DatabaseRestorer.Restore(sqlite, new RestoreOptions { DatabasePath = home })).Problem);

        var notADump = folder.File("db-x-20260101T000000Z.pgdump");
        File.WriteAllText(notADump, "not an archive");
        Assert.Equal(RestoreProblem.BackupDamaged, Assert.Throws<RestoreException>(() => DatabaseRestorer.Restore(notADump, new RestoreOptions { DatabasePath = home })).Problem);

        Assert.Equal(after, State(home));
        Assert.Single(Directory.GetFiles(Path.Combine(home, "backups"), "*.pgdump")); // no safety dump of a refused restore
    }

    [Fact]
    public void A_restore_through_an_explicit_connection_puts_the_safety_dump_beside_the_backup()
    {
        var database = NewDatabase();
        var home = database.Home.Path;
        var before = State(home);
        var result = Import(home, Changed(Rows(home)));

        var restored = DatabaseRestorer.Restore(result.BackupPath!, new RestoreOptions
        {
            DatabasePath = "ignored",
            Connection = PostgresSettings.FromConnectionString(database.ConnectionString),
        });

        Assert.Equal(before, State(home));
        Assert.Equal(Path.GetDirectoryName(result.BackupPath), Path.GetDirectoryName(restored.SafetyCopyPath));
        Assert.StartsWith("postgres://kolibri@127.0.0.1:", restored.DatabasePath, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, restored.DatabasePath + restored.SafetyCopyPath);
    }
}
