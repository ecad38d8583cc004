using System.Diagnostics;
using System.Globalization;
using System.Text;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Bench;

/// <summary>
/// What Import-FacilityUsers does for a new school year, end to end: read a users CSV of new learners (each with
/// its own password), plan, apply with backup, into a 1,000-user facility. The BCL's one-hash time is measured just
/// before and after, so the figure can be set against today's BCL hashing on the same load. KF_BENCH_NEW_USERS sets
/// the count (default 5,000; 1,000 with --quick).
/// </summary>
public sealed class ImportNewUsersScenario : IBenchScenario
{
    public string Name => "import-new-users";

    public void Run(BenchContext context, BenchReport report)
    {
        var newUsers = int.TryParse(Environment.GetEnvironmentVariable("KF_BENCH_NEW_USERS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : context.Repetitions <= 3 ? 1_000 : 5_000;
        var folder = context.NewFolder("import-new");
        var database = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = 1_000, Seed = 3 }).Path;
        var csv = Path.Combine(folder, "new-learners.csv");
        WriteCsv(csv, newUsers);

        var bclBefore = OneBclHash();
        var hasher = PasswordHasher.Default;
        var clock = Stopwatch.StartNew();
        var hashed = TimeSpan.Zero;
        var document = UsersCsvReader.Read(csv);
        ImportPlan plan;
        using (var db = KolibriDatabase.OpenRead(database))
        {
            plan = new ImportPlanner(db).Plan(new FacilityDirectory(db).Resolve(null), document, new ImportOptions { NoDelete = true });
        }

        var result = ImportApplier.Apply(plan, document, new ImportApplyOptions
        {
            DatabasePath = database,
            Backup = true,
            Progress = new Stage(p =>
            {
                if (p.Stage == ImportApplier.HashingStage && p.Done == p.Total) hashed = clock.Elapsed;
            }),
        });
        clock.Stop();
        var bcl = (bclBefore + OneBclHash()) / 2;

        var cores = Environment.ProcessorCount;
        var bclFloor = bcl * newUsers / cores;
        report.Add(Name, $"{newUsers:N0} new users: read CSV, plan, hash ({hasher.Path}), back up, write", clock.Elapsed.TotalSeconds, "s");
        report.Add(Name, "  of which after hashing (lock, re-plan, backup, writes)", (clock.Elapsed - hashed).TotalSeconds, "s");
        report.Add(Name, "  users created", result.Summary.UsersCreated.ToString(CultureInfo.InvariantCulture));
        report.Add(Name, $"one BCL hash on one core (mean of 8 before and 8 after)", bcl.TotalMilliseconds, "ms");
        report.Add(Name, $"the same import hashed by the BCL would need at least ({newUsers:N0} x one BCL hash / {cores} cores)", bclFloor.TotalSeconds, "s");
        report.Add(Name, "speed-up over BCL hashing", string.Create(CultureInfo.InvariantCulture,
            $"{bclFloor.TotalSeconds / clock.Elapsed.TotalSeconds:0.00} x (load average {LoadAverage()})"));
    }

    private static void WriteCsv(string path, int count)
    {
        var text = new StringBuilder(string.Join(",", UsersCsvFormat.Columns)).Append("\r\n");
        for (var i = 0; i < count; i++)
        {
            var name = "new_learner_" + i.ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $",{name},pw-{i}-kolibri,New Learner {i},LEARNER,,,,,\r\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(true));
    }

    /// <summary>The mean time of one BCL hash on one core, over 8 hashes.</summary>
    private static TimeSpan OneBclHash()
    {
        const int samples = 8;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples; i++)
        {
            DjangoPassword.Hash("bench-password-" + i.ToString(CultureInfo.InvariantCulture));
        }

        return clock.Elapsed / samples;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private sealed class Stage(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
