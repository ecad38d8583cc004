using System.Diagnostics;
using System.Globalization;
using System.Text;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Bench;

/// <summary>
/// Peak memory of reading and planning a users CSV, each in a fresh child process (its peak working set is the
/// figure; in this process every earlier scenario would count): a 100,000-row file (a 20,000-user facility's export
/// plus 80,000 new users), a 1 GB file of garbage, /dev/zero, and the worst garbage the limits let through (just under
/// UsersCsvLimits.MaxFileBytes of invalid one-field rows, stopped by MaxDataRows; and of ten-field invalid rows, each
/// kept as rejected). A Raspberry Pi has 1-8 GB.
/// </summary>
public sealed class PlanningMemoryScenario : IBenchScenario
{
    public const string ChildArgument = "--plan-peak-memory";
    private const int FacilityUsers = 20_000;
    private const int FileRows = 100_000;

    public string Name => "planning-memory";

    public void Run(BenchContext context, BenchReport report)
    {
        var folder = context.NewFolder("planning-memory");
        var database = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = FacilityUsers, Seed = 7 }).Path;

        var users = Path.Combine(folder, "users-100k.csv");
        using (var db = KolibriDatabase.OpenRead(database))
        using (var file = new StreamWriter(users, false, new UTF8Encoding(true)))
        {
            var written = new UsersCsvExporter().Write(file, new UserReader(db).Read(new FacilityDirectory(db).Resolve(null)));
            for (var i = written; i < FileRows; i++)
            {
                file.Write(string.Create(CultureInfo.InvariantCulture, $",newlearner{i},pw{i}secret,New Learner {i},LEARNER,,2012,,\"Grade 1 A\",\r\n"));
            }
        }

        var gigabyte = Path.Combine(folder, "garbage-1gb.csv");
        using (var file = File.Create(gigabyte))
        {
            file.Write("USERNAME,PASSWORD,FULL_NAME,USER_TYPE\r\n"u8);
            file.SetLength(1L << 30);
        }

        var worst = Path.Combine(folder, "garbage-under-limit.csv");
        using (var file = File.Create(worst))
        {
            file.Write("USERNAME,PASSWORD,FULL_NAME,USER_TYPE\r\n"u8);
            var line = "x\r\n"u8.ToArray();
            while (file.Length + line.Length <= UsersCsvLimits.MaxFileBytes)
            {
                file.Write(line);
            }
        }

        // Rows of ten fields that fail a CSV rule (an unknown user type), just under both the size and the row limit:
        // every one is kept as rejected, with its cells.
        var invalid = Path.Combine(folder, "invalid-rows-at-limit.csv");
        using (var file = new StreamWriter(invalid, false, new UTF8Encoding(false)))
        {
            file.Write("UUID,USERNAME,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO\r\n");
            var filler = new string('x', 200);
            var bytes = 0L;
            for (var i = 0; i < UsersCsvLimits.MaxDataRows; i++)
            {
                var line = string.Create(CultureInfo.InvariantCulture, $",baduser{i},secret{i},Bad User {i} {filler},ROBOT,,2010,,\"Grade 1 A\",\r\n");
                if (bytes + line.Length > UsersCsvLimits.MaxFileBytes - 200)
                {
                    break;
                }

                file.Write(line);
                bytes += line.Length;
            }
        }

        Measure(report, "plan a 100,000-row file against a 20,000-user facility", database, users);
        Measure(report, "reject a 1 GB garbage file", database, gigabyte);
        Measure(report, "reject /dev/zero", database, "/dev/zero");
        Measure(report, $"reject {UsersCsvLimits.MaxFileBytes / 1048576} MiB of one-field garbage rows", database, worst);
        Measure(report, $"reject {UsersCsvLimits.MaxFileBytes / 1048576} MiB of ten-field invalid rows (under the row limit)", database, invalid);
    }

    private void Measure(BenchReport report, string what, string database, string csv)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(PlanningMemoryScenario).Assembly.Location, ChildArgument, database, csv })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        report.Add(Name, what, output.Trim());
    }

    /// <summary>The child: read and plan once, then print the peak working set and what was planned.</summary>
    public static int RunChild(string database, string csv)
    {
        var clock = Stopwatch.StartNew();
        var document = UsersCsvReader.Read(csv);
        using var db = KolibriDatabase.OpenRead(database);
        var plan = new ImportPlanner(db).Plan(new FacilityDirectory(db).Resolve(null), document, new ImportOptions());
        clock.Stop();
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set {self.PeakWorkingSet64 / 1048576.0:0} MiB, {clock.Elapsed.TotalSeconds:0.0} s ({document.DataRowCount:N0} rows, {plan.Changes.Count:N0} changes, {plan.Errors.Count:N0} errors, first: {plan.Errors.FirstOrDefault()?.ErrorId ?? "-"})"));
        return 0;
    }
}
