using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// The kill test the import issue asks for: apply in a child process (tests/KolibriFacility.ImportHost), kill it inside
/// a stage of the apply, and the database then passes PRAGMA integrity_check and holds exactly what it held before.
/// </summary>
public sealed class KillTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(120);

    private static readonly string HostAssembly = Path.GetFullPath(typeof(KillTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "ImportHostAssembly").Value!);

    private readonly TempFolder folder = new();
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public void Dispose() => folder.Dispose();

    [Fact]
    public async Task Killed_while_hashing_passwords_the_database_is_whole_and_unchanged()
    {
        var db = Sandbox(users: 60);
        var csv = WriteCsv(db, deleteEvery: 0, newUsersWithPasswords: 40);

        await KillIn(db, csv, "Hashing", minDone: 1);
    }

    [Fact]
    public async Task Killed_halfway_through_writing_the_database_is_whole_and_unchanged()
    {
        // Big enough that writing outlasts the applier's 100 ms progress throttle, so a report comes mid-way; if the
        // machine is so fast that only the last report (sent before COMMIT) comes, the kill still lands in the open
        // transaction, with every change written and none committed.
        var db = Sandbox(users: 10000);
        var csv = WriteCsv(db, deleteEvery: 6, newUsersWithPasswords: 0);
        var plan = Plan(db, csv);
        Assert.True(plan.Changes.Count > 9000, $"{plan.Changes.Count} changes planned");

        var stage = await KillIn(db, csv, "Writing", minDone: plan.Changes.Count / 2);
        Assert.Equal(plan.Changes.Count, stage.Total);
        output.WriteLine("written, uncommitted, when killed: " + string.Join(", ", plan.Changes.Take(stage.Done)
            .GroupBy(c => $"{c.Kind} {c.Action}").Select(g => $"{g.Count()} {g.Key}")));
    }

    [Fact]
    public async Task Control_without_a_kill_the_host_applies_and_the_dump_sees_the_change()
    {
        var db = Sandbox(users: 300);
        var csv = WriteCsv(db, deleteEvery: 6, newUsersWithPasswords: 0);
        var before = Dump(db, readOnly: true);

        using var process = StartHost(db, csv, "None", minDone: 1);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(Remaining());
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {await stderr}");
            Assert.StartsWith("APPLIED ", (await stdout).Trim(), StringComparison.Ordinal);
        }
        finally
        {
            Stop(process);
        }

        var after = Dump(db, readOnly: false);
        Assert.Equal("ok", after.Integrity);
        Assert.NotEqual(before.Tables, after.Tables);
        Assert.NotEqual(Table(before, "kolibriauth_facilityuser"), Table(after, "kolibriauth_facilityuser"));
        Assert.NotEqual(Table(before, "morango_deletedmodels"), Table(after, "morango_deletedmodels"));
    }

    /// <summary>Runs the host until it announces the stage, kills it there, and checks the database against its state before.</summary>
    private async Task<StageReached> KillIn(string db, string csv, string stage, int minDone)
    {
        var before = Dump(db, readOnly: true);
        Assert.Equal("ok", before.Integrity);

        StageReached reached;
        using (var process = StartHost(db, csv, stage, minDone))
        {
            try
            {
                var stderr = process.StandardError.ReadToEndAsync();
                reached = await WaitForStage(process, stderr);
                var whileBlocked = SideFiles(db);
                process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(Remaining());
                await process.WaitForExitAsync(timeout.Token);
                output.WriteLine($"killed in '{reached.Stage}' after {reached.Done} of {reached.Total} changes/passwords; side files while blocked: {whileBlocked}; after the kill: {SideFiles(db)}");
            }
            finally
            {
                Stop(process);
            }
        }

        // A normal read-write connection: SQLite recovers from the WAL (or a hot journal) as Kolibri's next open would.
        var after = Dump(db, readOnly: false);
        output.WriteLine($"side files after recovery: {SideFiles(db)}");
        Assert.Equal("ok", after.Integrity);
        Assert.Equal(before.Tables, after.Tables);
        return reached;
    }

    private async Task<StageReached> WaitForStage(Process process, Task<string> stderr)
    {
        using var timeout = new CancellationTokenSource(Remaining());
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            output.WriteLine("host: " + line);
            if (line.StartsWith("STAGE ", StringComparison.Ordinal))
            {
                // "STAGE <stage name> <done>/<total>"
                var counts = line[(line.LastIndexOf(' ') + 1)..].Split('/');
                return new StageReached(line[6..line.LastIndexOf(' ')],
                    int.Parse(counts[0], CultureInfo.InvariantCulture), int.Parse(counts[1], CultureInfo.InvariantCulture));
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        throw new InvalidOperationException($"The import host ended (exit {process.ExitCode}) without reaching its stage: {await stderr}");
    }

    private static Process StartHost(string db, string csv, string stage, int minDone)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(db)!,
        };
        foreach (var argument in new[] { "exec", HostAssembly, db, csv, stage, minDone.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(10_000);
        }
    }

    private TimeSpan Remaining()
    {
        var left = TestTimeout - clock.Elapsed;
        return left > TimeSpan.Zero ? left : throw new TimeoutException($"The kill test ran longer than {TestTimeout}.");
    }

    private string Sandbox(int users)
    {
        var path = folder.File("home/db.sqlite3");
        SandboxDatabase.Create(path, new SandboxOptions { SampleUsers = users, Seed = 17 });
        return path;
    }

    /// <summary>
    /// An export of the facility (admins included) with every full name changed, every deleteEvery-th user left out (so
    /// deleted) and new users with real passwords appended.
    /// </summary>
    private string WriteCsv(string db, int deleteEvery, int newUsersWithPasswords)
    {
        var csv = folder.File("users.csv");
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var rows = new UsersCsvExporter { IncludeAdmins = true }.Rows(new UserReader(database).Read(facility)).ToList();
        using var writer = new StreamWriter(csv, false, new UTF8Encoding(false));
        using var csvWriter = new KolibriCsvWriter(writer);
        csvWriter.WriteRow(UsersCsvFormat.EnglishHeader());
        for (var i = 0; i < rows.Count; i++)
        {
            var cells = rows[i];
            if (deleteEvery > 0 && i % deleteEvery == deleteEvery - 1 && cells[4] != "ADMIN")
            {
                continue;
            }

            cells[3] += " Changed";
            csvWriter.WriteRow(cells);
        }

        for (var i = 0; i < newUsersWithPasswords; i++)
        {
            var name = "killtest" + i.ToString("000", CultureInfo.InvariantCulture);
            csvWriter.WriteRow(["", name, "pw-" + name, "Kill Test " + i.ToString(CultureInfo.InvariantCulture), "LEARNER", "", "", "", "", ""]);
        }

        return csv;
    }

    /// <summary>The plan the host makes (planning is deterministic), to tell which changes it had written when killed.</summary>
    private static ImportPlan Plan(string db, string csv)
    {
        using var database = KolibriDatabase.OpenRead(db);
        var plan = new ImportPlanner(database).Plan(database.DefaultFacility(), UsersCsvReader.Read(csv), new ImportOptions());
        Assert.False(plan.IsRefused, plan.RefusalReason);
        return plan;
    }

    private static string SideFiles(string db) =>
        string.Join(", ", new[] { "-wal", "-shm", "-journal" }.Select(s => File.Exists(db + s) ? $"{s} {new FileInfo(db + s).Length} bytes" : $"no {s}"));

    private static string Table(DatabaseDump dump, string name) => dump.Tables.Single(t => t.StartsWith(name + " ", StringComparison.Ordinal));

    /// <summary>
    /// integrity_check, then one line per table (schema objects included): name, row count and SHA-256 of its rows,
    /// each row typed and length-prefixed cell by cell, rows sorted (so the order SQLite returns them in does not count).
    /// </summary>
    private static DatabaseDump Dump(string db, bool readOnly)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = db,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        connection.Open();
        var integrity = string.Join("; ", Strings(connection, "PRAGMA integrity_check"));
        var tables = Strings(connection, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
        var lines = new List<string>();
        foreach (var name in tables.Prepend("sqlite_master"))
        {
            var rows = Query(connection, $"SELECT * FROM \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            rows.Sort(StringComparer.Ordinal);
            var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("\n", rows))));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{name} {rows.Count} {hash}"));
        }

        return new DatabaseDump(integrity, lines);
    }

    private static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private static List<string> Query(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        var row = new StringBuilder();
        while (reader.Read())
        {
            row.Clear();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                if (i > 0) row.Append('\u001f');
                row.Append(reader.GetValue(i) switch
                {
                    DBNull => "N",
                    long l => "I" + l.ToString(CultureInfo.InvariantCulture),
                    double d => "R" + d.ToString("R", CultureInfo.InvariantCulture),
                    string s => string.Create(CultureInfo.InvariantCulture, $"T{s.Length}:{s}"),
                    byte[] b => "B" + Convert.ToHexString(b),
                    var other => "?" + Convert.ToString(other, CultureInfo.InvariantCulture),
                });
            }

            rows.Add(row.ToString());
        }

        return rows;
    }

    private sealed record DatabaseDump(string Integrity, List<string> Tables);

    private sealed record StageReached(string Stage, int Done, int Total);
}
