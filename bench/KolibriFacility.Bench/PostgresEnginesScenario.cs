using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;

namespace KolibriFacility.Bench;

/// <summary>
/// The same data on both engines (docs/PostgreSQL.md, Bench): a 20,000-user sandbox with 100,000 session logs on
/// SQLite, copied into Kolibri's real PostgreSQL schema on the tests' private PostgreSQL cluster
/// (<see cref="SqliteToPostgresCopier"/>). The copy is checked first (users, session and summary log exports of the
/// two must hold the same lines; the bench stops if not), then Export-FacilityUsers and New-FacilityLog (session and
/// summary) are timed through Core on each engine, each run opening the database as a cmdlet does.
/// KF_BENCH_PG_USERS and KF_BENCH_PG_LOGS change the sizes.
/// </summary>
public sealed class PostgresEnginesScenario : IBenchScenario
{
    public string Name => "pg-vs-sqlite";

    public void Run(BenchContext context, BenchReport report)
    {
        var users = Count("KF_BENCH_PG_USERS", 20_000);
        var logs = Count("KF_BENCH_PG_LOGS", 100_000);
        var folder = context.NewFolder("pg-vs-sqlite");
        report.Add(Name, "load average at start", BenchData.LoadAverage());

        var clock = Stopwatch.StartNew();
        var sandbox = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = users, SampleLogs = logs, Seed = 42 });
        report.Add(Name, $"SQLite sandbox: {users:N0} users, {sandbox.SessionLogs:N0} session + {sandbox.SummaryLogs:N0} summary logs", clock.Elapsed.TotalSeconds, "s");

        clock.Restart();
        using var server = new PostgresServer();
        report.Add(Name, "PostgreSQL: initdb, start, restore fixture dump", clock.Elapsed.TotalSeconds, "s");
        using var database = server.CreateDatabase();

        var copy = SqliteToPostgresCopier.Copy(sandbox.Path, database.ConnectionString);
        report.Add(Name, $"copy SQLite -> PostgreSQL: {copy.TotalRows:N0} rows, {copy.Rows.Count} tables", copy.Total.TotalSeconds, "s");
        report.Add(Name, "copy: rows per second", copy.TotalRows / copy.Total.TotalSeconds, "rows/s");
        report.Add(Name, "copy: commit (deferred FK checks) / ANALYZE",
            string.Create(CultureInfo.InvariantCulture, $"{copy.Commit.TotalSeconds:0.00} s / {copy.Analyze.TotalSeconds:0.00} s, {copy.Sequences} sequences set"));
        report.Add(Name, "copy: largest tables", string.Join(", ", copy.Rows.OrderByDescending(r => r.Value).Take(5).Select(r => $"{r.Key} {r.Value:N0}")));

        var engines = new (string Name, string Database)[] { ("SQLite", sandbox.Path), ("PostgreSQL", database.Home.Path) };
        CheckCopy(engines[0].Database, engines[1].Database, folder, report);

        foreach (var (label, path) in engines)
        {
            report.AddTime(Name, $"{label}: open + schema check + resolve facility", context.Measure(() =>
            {
                using var db = KolibriDatabase.OpenRead(path);
                _ = new FacilityDirectory(db).Resolve(null);
            }));
        }

        var exports = new (string Label, Func<string, string, long> Export)[]
        {
            ("users export", ExportUsers),
            ("session-log export", (db, target) => ExportLogs(db, target, LogType.Session)),
            ("summary-log export", (db, target) => ExportLogs(db, target, LogType.Summary)),
        };
        foreach (var (label, export) in exports)
        {
            var seconds = new double[engines.Length];
            for (var e = 0; e < engines.Length; e++)
            {
                var target = Path.Combine(folder, "timed.csv");
                long rows = 0;
                var measurement = context.Measure(() => rows = export(engines[e].Database, target));
                seconds[e] = measurement.Median.TotalSeconds;
                report.AddTime(Name, $"{engines[e].Name}: {label} ({rows:N0} rows)", measurement);
                report.Add(Name, $"{engines[e].Name}: {label} rows per second", rows / seconds[e], "rows/s");
            }

            report.Add(Name, $"PostgreSQL / SQLite: {label} time", seconds[1] / seconds[0], "x");
        }

        report.Add(Name, "load average at end", BenchData.LoadAverage());
        Directory.Delete(folder, recursive: true);
    }

    private static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : fallback;

    /// <summary>What Export-FacilityUsers does: open, resolve the default facility, stream its users into Kolibri's CSV.</summary>
    private static long ExportUsers(string database, string target)
    {
        using var db = KolibriDatabase.OpenRead(database);
        var facility = new FacilityDirectory(db).Resolve(null);
        return SafeFileWriter.Write(target, ExistingFile.Overwrite,
            stream => new UsersCsvExporter().Write(stream, CsvEncodings.KolibriDefault, new UserReader(db).Read(facility)));
    }

    /// <summary>What New-FacilityLog does for one log type.</summary>
    private static long ExportLogs(string database, string target, LogType type)
    {
        using var db = KolibriDatabase.OpenRead(database);
        var facility = new FacilityDirectory(db).Resolve(null);
        var query = new LogQuery { Type = type };
        return SafeFileWriter.Write(target, ExistingFile.Overwrite,
            stream => LogsCsvExporter.Write(stream, CsvEncodings.KolibriDefault, type, new LogReader(db).ReadRecords(facility, query, csvColumnsOnly: true)));
    }

    /// <summary>
    /// The PostgreSQL copy must export what SQLite exports: the same lines, class lists compared as sets (their order is
    /// not defined by Kolibri's query, fixture README), rows in any order. Throws when not.
    /// </summary>
    private void CheckCopy(string sqlite, string postgres, string folder, BenchReport report)
    {
        var checks = new (string Label, Func<string, string, long> Export, Func<string, List<string>> Lines)[]
        {
            ("users export", ExportUsers, UsersCsvLines),
            ("session-log export", (db, target) => ExportLogs(db, target, LogType.Session), PlainLines),
            ("summary-log export", (db, target) => ExportLogs(db, target, LogType.Summary), PlainLines),
        };
        foreach (var (label, export, lines) in checks)
        {
            var fromSqlite = Path.Combine(folder, "check-sqlite.csv");
            var fromPostgres = Path.Combine(folder, "check-postgres.csv");
            export(sqlite, fromSqlite);
            export(postgres, fromPostgres);
            var identical = File.ReadAllBytes(fromSqlite).AsSpan().SequenceEqual(File.ReadAllBytes(fromPostgres));
            var a = lines(fromSqlite);
            var b = lines(fromPostgres);
            a.Sort(StringComparer.Ordinal);
            b.Sort(StringComparer.Ordinal);
            if (!a.SequenceEqual(b, StringComparer.Ordinal))
            {
                var onlySqlite = a.Except(b, StringComparer.Ordinal).Take(3);
                var onlyPostgres = b.Except(a, StringComparer.Ordinal).Take(3);
                throw new InvalidOperationException(
                    $"The PostgreSQL copy does not export what SQLite exports ({label}: {a.Count} vs {b.Count} lines). " +
                    $"Only on SQLite: [{string.Join(" | ", onlySqlite)}]; only on PostgreSQL: [{string.Join(" | ", onlyPostgres)}].");
            }

            report.Add(Name, $"check: {label} SQLite vs PostgreSQL ({a.Count:N0} lines)",
                identical ? "byte-identical" : "same lines (class lists as sets), not byte-identical");
        }
    }

    private static List<string> PlainLines(string path) => [.. File.ReadAllLines(path)];

    /// <summary>The users CSV's header and records, each record with the items of its class-list columns sorted.</summary>
    private static List<string> UsersCsvLines(string path)
    {
        using var csv = global::CsvHelper.CsvReader.Create(File.OpenRead(path),
            new global::CsvHelper.CsvReaderOptions { HasHeader = true, Mode = global::CsvHelper.CsvMode.Rfc4180, AllowLineBreaksInQuotes = true }, leaveOpen: false);
        var header = csv.Headers.ToArray();
        int[] classColumns = [.. Enumerable.Range(0, header.Length).Where(i =>
            header[i].Contains(UsersCsvFormat.EnrolledIn, StringComparison.Ordinal) || header[i].Contains(UsersCsvFormat.AssignedTo, StringComparison.Ordinal))];
        if (classColumns.Length != 2)
        {
            throw new InvalidOperationException($"The users CSV header has no {UsersCsvFormat.EnrolledIn}/{UsersCsvFormat.AssignedTo} columns: {string.Join(",", header)}");
        }

        var lines = new List<string> { string.Join("\u001f", header) };
        while (csv.Read())
        {
            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv.GetString(i);
            }

            foreach (var i in classColumns)
            {
                fields[i] = string.Join(",", fields[i].Split(',').Order(StringComparer.Ordinal));
            }

            lines.Add(string.Join("\u001f", fields));
        }

        return lines;
    }
}
