using System.Globalization;
using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>
/// Ctrl+C and progress of writes on a PostgreSQL-backed Kolibri (docs/PostgreSQL.md, Backups and restore): an import
/// or undo stopped while hashing or while pg_dump runs writes nothing (every table's digest), kills pg_dump, leaves no
/// lock or open transaction (the next write, allowed a short lock wait, succeeds), and raises no System.* error; the
/// pg_dump backup shows as a progress activity with its elapsed time. A slow pg_dump is a wrapper script that waits
/// before it runs the real one.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStopTests(PostgresServer server) : HostedModuleTest
{
    private const string ToolsVariable = "KOLIBRIFACILITY_PG_BIN";
    private const string BackupActivity = "Backing up the database (pg_dump)";
    private EngineDatabase? database;

    private EngineDatabase Database => database ??= EngineDatabase.Create("postgres", Db, server);

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Database.Database,
        ["Dir"] = Home.Path,
        ["Csv"] = Csv("term2.csv", 1),
        ["Slow"] = SlowTools(),
    };

    protected override void Dispose(bool disposing)
    {
        Environment.SetEnvironmentVariable(ToolsVariable, null);
        if (disposing)
        {
            database?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Kolibri's export of the PostgreSQL fixture plus <paramref name="newUsers"/> new learners.</summary>
    private string Csv(string name, int newUsers)
    {
        var path = Home.File(name);
        if (!File.Exists(path))
        {
            var lines = File.ReadAllLines(PostgresServer.Fixture("users-export.csv"))
                .Concat(Enumerable.Range(1, newUsers).Select(i => string.Create(CultureInfo.InvariantCulture, $",{Path.GetFileNameWithoutExtension(name)}kid{i},pass-{i}-xyz,New Kid {i},LEARNER,,,,,")));
            File.WriteAllText(path, string.Concat(lines.Select(l => l + "\r\n")), new System.Text.UTF8Encoding(false));
        }

        return path;
    }

    /// <summary>A folder whose pg_dump waits (about 30 s, in short sleeps) before it runs the real one; --version answers at once.</summary>
    private string SlowTools()
    {
        var bin = Home.File("slow-bin");
        if (!Directory.Exists(bin))
        {
            Directory.CreateDirectory(bin);
            var real = Path.Combine(RealBin(), "pg_dump");
            var wrapper = Path.Combine(bin, "pg_dump");
            File.WriteAllText(wrapper,
                $"#!/bin/sh\n[ \"$1\" = --version ] && exec '{real}' --version\ni=0\nwhile [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\nexec '{real}' \"$@\"\n");
            MakeExecutable(wrapper);
        }

        return bin;
    }

    /// <summary>A shell script as a program (the tests run on Linux, as the PostgreSQL suite does).</summary>
    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private static string RealBin() =>
        Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "pg_dump")))
            .OrderByDescending(d => int.Parse(Path.GetFileName(Path.GetDirectoryName(d))!, CultureInfo.InvariantCulture)).First();

    private bool Shown(Func<ProgressRecord, bool> record)
    {
        lock (Session.Host.Progress)
        {
            return Session.Host.Progress.Any(record);
        }
    }

    private static bool IsBackup(ProgressRecord p) => p.Activity == BackupActivity && p.RecordType == ProgressRecordType.Processing;

    /// <summary>Processes whose command line names this test's folders: a pg_dump (or its wrapper) left running.</summary>
    private List<string> ProcessesOfThisTest()
    {
        var found = new List<string>();
        foreach (var proc in Directory.GetDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(Home.Path, StringComparison.Ordinal) || commandLine.Contains(Database.Home, StringComparison.Ordinal))
                {
                    found.Add(Path.GetFileName(proc) + ": " + commandLine);
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        return found;
    }

    /// <summary>Nothing of the stopped write is left: no transaction, no lock, no pg_dump, no partial backup, no journal.</summary>
    private void AssertNothingLeft(ScriptResult result, bool stopped, string digestBefore, int journalsBefore)
    {
        Assert.True(stopped, "the command finished before it could be stopped");
        Assert.DoesNotContain(result.ErrorIds, id => id.StartsWith("System.", StringComparison.Ordinal));
        Assert.Equal(digestBefore, Database.Digest());
        Assert.Equal("0", Database.Scalar(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"));
        Assert.Equal("0", Database.Scalar(
            "SELECT count(*) FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.pid <> pg_backend_pid()"));
        Assert.Empty(ProcessesOfThisTest());
        var backups = Directory.Exists(Database.Backups) ? Directory.GetFiles(Database.Backups, "*", SearchOption.AllDirectories) : [];
        Assert.DoesNotContain(backups, f => Path.GetFileName(f).StartsWith('.'));
        Assert.Equal(journalsBefore, backups.Count(f => f.EndsWith(".journal.jsonl", StringComparison.Ordinal)));
    }

    private int Journals() => Directory.Exists(Database.Backups) ? Directory.GetFiles(Database.Backups, "*.journal.jsonl").Length : 0;

    /// <summary>A write after the stopped one, allowed only 2 s to get its locks: DatabaseBusy if anything was still held.</summary>
    private void AssertNextImportSucceeds()
    {
        Environment.SetEnvironmentVariable(ToolsVariable, null);
        var next = Ok($"Import-FacilityUsers -Database $Db -LiteralPath '{Csv("next.csv", 1)}' -NoDelete -TimeoutSec 2 -Confirm:$false -PassThru");
        Assert.Equal(1, ((dynamic)Assert.Single(next.Output).Properties["Summary"].Value).UsersCreated);
        Assert.Equal("1", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'nextkid1'"));
    }

    [Fact]
    public void Ctrl_C_while_passwords_are_hashed_writes_nothing_and_leaves_no_lock()
    {
        var before = Database.Digest();
        var (result, stopped) = Session.RunAndStop(
            $"Import-FacilityUsers -Database $Db -LiteralPath '{Csv("many.csv", 200)}' -NoDelete -Confirm:$false",
            Vars,
            () => Shown(p => p.StatusDescription.StartsWith("Hashing", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60));
        AssertNothingLeft(result, stopped, before, 0);
        AssertNextImportSucceeds();
    }

    [Fact]
    public void Ctrl_C_while_pg_dump_runs_kills_it_and_writes_nothing()
    {
        var before = Database.Digest();
        var (result, stopped) = Session.RunAndStop(
            $"$env:{ToolsVariable} = $Slow; Import-FacilityUsers -Database $Db -LiteralPath $Csv -NoDelete -Confirm:$false",
            Vars,
            () => Shown(IsBackup),
            TimeSpan.FromSeconds(60));
        AssertNothingLeft(result, stopped, before, 0);
        Assert.Equal("0", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'term2kid1'"));
        AssertNextImportSucceeds();
    }

    [Fact]
    public void Ctrl_C_while_an_undo_runs_pg_dump_kills_it_and_undoes_nothing()
    {
        Ok("Import-FacilityUsers -Database $Db -LiteralPath $Csv -NoDelete -Confirm:$false");
        Assert.Equal("1", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'term2kid1'"));
        var before = Database.Digest();
        var journals = Journals();

        var (result, stopped) = Session.RunAndStop(
            $"$env:{ToolsVariable} = $Slow; Undo-FacilityImport -Database $Db -Last -Confirm:$false",
            Vars,
            () => Shown(IsBackup),
            TimeSpan.FromSeconds(60));
        AssertNothingLeft(result, stopped, before, journals);

        Environment.SetEnvironmentVariable(ToolsVariable, null);
        Assert.Equal(1, Ok("Get-FacilityBackup -Database $Db").Output.Count(o => o.Properties["Kind"].Value.ToString() == "Import"));
        Ok("Undo-FacilityImport -Database $Db -Last -TimeoutSec 2 -Confirm:$false");
        Assert.Equal("0", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'term2kid1'"));
    }

    /// <summary>
    /// Runs <paramref name="script"/> while a Kolibri transaction holds what <paramref name="kolibriSql"/> locks, presses
    /// Ctrl+C once the module's session waits for that lock, and checks nothing was written or left; then lets Kolibri go.
    /// </summary>
    private void StopWhileWaitingFor(string kolibriSql, string script, int journalsBefore)
    {
        var before = Database.Digest();
        using var kolibri = new Npgsql.NpgsqlConnection(Database.ConnectionString + ";Pooling=false");
        kolibri.Open();
        using var held = kolibri.BeginTransaction();
        using (var command = new Npgsql.NpgsqlCommand(kolibriSql, kolibri, held))
        {
            command.ExecuteNonQuery();
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (result, stopped) = Session.RunAndStop(script, Vars,
            () => Database.Scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'KolibriFacility' AND wait_event_type = 'Lock'") != "0",
            TimeSpan.FromSeconds(60));

        // -TimeoutSec is 120: the stop came from Ctrl+C cancelling the waiting statement, not from the lock wait ending.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"stopped only after {clock.Elapsed}");
        Assert.Equal(before, Database.Digest());
        held.Rollback();
        AssertNothingLeft(result, stopped, before, journalsBefore);
    }

    [Fact]
    public void Ctrl_C_while_the_import_waits_for_kolibris_row_lock_stops_it_and_writes_nothing()
    {
        StopWhileWaitingFor("UPDATE kolibriauth_facilityuser SET full_name = full_name WHERE username = 'learner01'",
            "Import-FacilityUsers -Database $Db -LiteralPath $Csv -NoDelete -TimeoutSec 120 -Confirm:$false", 0);
        AssertNextImportSucceeds();
    }

    [Fact]
    public void Ctrl_C_while_the_import_writes_stops_it_and_writes_nothing()
    {
        // Kolibri keeps writers off morango_deletedmodels, where deleting learner02 records its deletion: the import
        // waits there, after its first writes.
        var csv = Home.File("without-learner02.csv");
        File.WriteAllLines(csv, File.ReadAllLines(Csv("term2.csv", 1)).Where(l => !l.Contains(",learner02,", StringComparison.Ordinal)));
        StopWhileWaitingFor("LOCK TABLE morango_deletedmodels IN EXCLUSIVE MODE",
            $"Import-FacilityUsers -Database $Db -LiteralPath '{csv}' -NoBackup -TimeoutSec 120 -Confirm:$false", 0);
        Assert.Equal("1", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'learner02'"));
        AssertNextImportSucceeds();
    }

    [Fact]
    public void Ctrl_C_while_an_undo_writes_stops_it_and_undoes_nothing()
    {
        Ok("Import-FacilityUsers -Database $Db -LiteralPath $Csv -NoDelete -Confirm:$false");
        StopWhileWaitingFor("LOCK TABLE morango_deletedmodels IN EXCLUSIVE MODE",
            "Undo-FacilityImport -Database $Db -Last -NoBackup -TimeoutSec 120 -Confirm:$false", Journals());
        Assert.Equal("1", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'term2kid1'"));
        Ok("Undo-FacilityImport -Database $Db -Last -NoBackup -TimeoutSec 2 -Confirm:$false");
        Assert.Equal("0", Database.Scalar("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'term2kid1'"));
    }

    [Fact]
    public void An_import_shows_the_pg_dump_backup_as_a_progress_activity_with_its_elapsed_time()
    {
        // pg_dump held back about 1.5 s: several of the pipeline thread's progress polls.
        var bin = Home.File("wait-bin");
        Directory.CreateDirectory(bin);
        var wrapper = Path.Combine(bin, "pg_dump");
        File.WriteAllText(wrapper, $"#!/bin/sh\n[ \"$1\" = --version ] || sleep 1.5\nexec '{Path.Combine(RealBin(), "pg_dump")}' \"$@\"\n");
        MakeExecutable(wrapper);

        var result = Ok($"$env:{ToolsVariable} = '{bin}'; Import-FacilityUsers -Database $Db -LiteralPath $Csv -NoDelete -Confirm:$false -PassThru");

        Assert.EndsWith(".pgdump", (string)Assert.Single(result.Output).Properties["BackupPath"].Value, StringComparison.Ordinal);
        var backup = result.Progress.Where(p => p.Activity == BackupActivity).ToList();
        Assert.True(backup.Count(p => p.RecordType == ProgressRecordType.Processing) >= 2, "pg_dump's progress was not updated while it ran: " + string.Join("; ", backup.Select(p => p.StatusDescription)));
        Assert.All(backup.Where(p => p.RecordType == ProgressRecordType.Processing), p => Assert.Matches("^[0-9]+ s elapsed$", p.StatusDescription));
        Assert.Contains(backup, p => p.StatusDescription != "0 s elapsed");
        Assert.Equal(ProgressRecordType.Completed, backup.Last().RecordType);
        var import = result.Progress.First(p => p.Activity.StartsWith("Importing ", StringComparison.Ordinal));
        Assert.All(backup, p => Assert.Equal(import.ActivityId, p.ParentActivityId));
        Assert.Equal(ProgressRecordType.Completed, result.Progress.Last().RecordType);
    }
}
