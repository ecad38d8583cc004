using System.Diagnostics;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Bench;

/// <summary>
/// New-FacilityLog -Type Session through the Core exporter: rows per second and memory while exporting sandbox
/// databases of 100,000 and 1,000,000 session logs. Kolibri 0.17.5 needs 20.6 s for 108,000 rows on the reference
/// machine (about 5,240 rows/s); the goal is 20 times that, with peak memory independent of the row count.
/// </summary>
public sealed class LogExportScenario : IBenchScenario
{
    private const double KolibriRowsPerSecond = 108_000 / 20.6;

    public string Name => "logs-export";

    public void Run(BenchContext context, BenchReport report)
    {
        foreach (var rows in new[] { 100_000, 1_000_000 })
        {
            var folder = context.NewFolder("logs-" + rows);
            var build = Stopwatch.StartNew();
            var sandbox = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = 500, SampleLogs = rows, Seed = 1 });
            report.Add(Name, $"{rows:N0} rows: sandbox build", build.Elapsed.TotalSeconds, "s");

            var target = Path.Combine(folder, "logs.csv");
            long peakManaged = 0;
            long peakWorkingSet = 0;
            long baselineWorkingSet = 0;
            using var self = Process.GetCurrentProcess();
            var measurement = context.Measure(() =>
            {
                GC.Collect();
                self.Refresh();
                baselineWorkingSet = self.WorkingSet64;
                using var database = KolibriDatabase.OpenRead(sandbox.Path);
                var facility = new FacilityDirectory(database).Resolve(null);
                var written = SafeFileWriter.Write(target, ExistingFile.Overwrite, stream => LogsCsvExporter.Write(
                    stream, CsvEncodings.KolibriDefault, LogType.Session, new LogReader(database).ReadRecords(facility, new LogQuery(), csvColumnsOnly: true),
                    done =>
                    {
                        if (done % 20_000 == 0)
                        {
                            peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                            self.Refresh();
                            peakWorkingSet = Math.Max(peakWorkingSet, self.WorkingSet64 - baselineWorkingSet);
                        }
                    }));
                if (written != rows)
                {
                    throw new InvalidOperationException($"exported {written} rows, expected {rows}");
                }
            }, repetitions: 3);

            // One more, untimed pass: the live managed heap (after a full collection) every 50,000 rows, i.e. what the
            // export holds on to, without the not-yet-collected garbage the sampled heap size above includes.
            long peakLive = 0;
            using (var database = KolibriDatabase.OpenRead(sandbox.Path))
            {
                var facility = new FacilityDirectory(database).Resolve(null);
                var baselineLive = GC.GetTotalMemory(forceFullCollection: true);
                SafeFileWriter.Write(target, ExistingFile.Overwrite, stream => LogsCsvExporter.Write(
                    stream, CsvEncodings.KolibriDefault, LogType.Session, new LogReader(database).ReadRecords(facility, new LogQuery(), csvColumnsOnly: true),
                    done =>
                    {
                        if (done % 50_000 == 0)
                        {
                            peakLive = Math.Max(peakLive, GC.GetTotalMemory(forceFullCollection: true) - baselineLive);
                        }
                    }));
            }

            var perSecond = rows / measurement.Median.TotalSeconds;
            report.AddTime(Name, $"{rows:N0} rows: export", measurement);
            report.Add(Name, $"{rows:N0} rows: rows per second", perSecond, "rows/s");
            report.Add(Name, $"{rows:N0} rows: x Kolibri's rate ({KolibriRowsPerSecond:N0}/s)", perSecond / KolibriRowsPerSecond, "x");
            report.Add(Name, $"{rows:N0} rows: 108,000 rows would take", 108_000 / perSecond, "s");
            report.Add(Name, $"{rows:N0} rows: peak managed heap incl. uncollected garbage", peakManaged / 1048576.0, "MiB");
            report.Add(Name, $"{rows:N0} rows: peak working-set growth while exporting", peakWorkingSet / 1048576.0, "MiB");
            report.Add(Name, $"{rows:N0} rows: peak live managed memory while exporting", peakLive / 1048576.0, "MiB");
            report.Add(Name, $"{rows:N0} rows: file size", new FileInfo(target).Length / 1048576.0, "MiB");
            Directory.Delete(folder, recursive: true);
        }
    }
}
