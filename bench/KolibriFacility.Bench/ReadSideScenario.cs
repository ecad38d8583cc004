using System.Diagnostics;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Bench;

/// <summary>
/// Read side at scale: sandbox facilities of 1k, 20k and 100k users; times streaming all users (UserReader) and
/// writing Kolibri's users CSV (UsersCsvExporter, what Export-FacilityUsers runs) to a file. Goal: 20k export under
/// 0.3 s, and the memory an enumeration holds flat in N (the reader streams).
/// </summary>
public sealed class ReadSideScenario : IBenchScenario
{
    private static readonly int[] Sizes = [1_000, 20_000, 100_000];

    public string Name => "readside";

    public void Run(BenchContext context, BenchReport report)
    {
        var medians = new Dictionary<int, (double Read, double Export)>();
        foreach (var size in Sizes)
        {
            var folder = context.NewFolder("readside-" + size);
            var build = Stopwatch.StartNew();
            var sandbox = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = size, Seed = 42 });
            report.Add(Name, $"{size,7:N0} users: build sandbox", build.Elapsed.TotalSeconds, "s");

            using var database = KolibriDatabase.OpenRead(sandbox.Path);
            var facility = new FacilityDirectory(database).Resolve(null);
            var reader = new UserReader(database);

            var count = 0;
            var read = context.Measure(() => count = reader.Read(facility).Count());
            report.AddTime(Name, $"{size,7:N0} users: enumerate ({count} rows)", read);

            var csv = Path.Combine(folder, "users.csv");
            var exporter = new UsersCsvExporter();
            var export = context.Measure(() =>
            {
                using var stream = new FileStream(csv, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                exporter.Write(stream, CsvEncodings.KolibriDefault, reader.Read(facility));
            });
            report.AddTime(Name, $"{size,7:N0} users: export CSV ({new FileInfo(csv).Length / 1024} KiB)", export);

            // Memory an enumeration holds at its end: live managed heap while the last row is in hand minus before.
            var held = HeldWhileEnumerating(reader, facility);
            report.Add(Name, $"{size,7:N0} users: managed heap held mid-enumeration", held / 1024.0, "KiB");
            report.Add(Name, $"{size,7:N0} users: per user (enumerate / export)",
                $"{read.Median.TotalMilliseconds * 1000 / size:0.00} us / {export.Median.TotalMilliseconds * 1000 / size:0.00} us");
            medians[size] = (read.Median.TotalMilliseconds, export.Median.TotalMilliseconds);
            Directory.Delete(folder, recursive: true);
        }

        report.Add(Name, "export 20k / 1k time ratio", medians[20_000].Export / medians[1_000].Export, "x");
        report.Add(Name, "export 100k / 20k time ratio", medians[100_000].Export / medians[20_000].Export, "x");
        report.Add(Name, "goal: 20k export < 300 ms", medians[20_000].Export < 300 ? "met" : "NOT met");
    }

    private static long HeldWhileEnumerating(UserReader reader, Core.Model.Facility facility)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = GC.GetTotalMemory(forceFullCollection: true);
        long during = 0;
        var seen = 0;
        foreach (var user in reader.Read(facility))
        {
            seen++;
            if (seen == facility.UserCount - 1 || seen == 1 && facility.UserCount <= 2)
            {
                during = GC.GetTotalMemory(forceFullCollection: true);
            }

            GC.KeepAlive(user);
        }

        return Math.Max(0, during - before);
    }
}
