using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
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
        var newUsers = BenchData.UserCount(context, "KF_BENCH_NEW_USERS");
        var folder = context.NewFolder("import-new");
        var database = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = 1_000, Seed = 3 }).Path;
        var csv = Path.Combine(folder, "new-learners.csv");
        BenchData.WriteNewLearnersCsv(csv, newUsers, "new_learner_", "New Learner");

        var bclBefore = OneBclHash();
        var hasher = PasswordHasher.Default;
        var clock = Stopwatch.StartNew();
        var hashed = TimeSpan.Zero;
        var document = UsersCsvReader.Read(csv);
        var plan = BenchData.Plan(database, document, new ImportOptions { NoDelete = true });

        var result = ImportApplier.Apply(plan, document, new ImportApplyOptions
        {
            DatabasePath = database,
            Backup = true,
            Progress = new SyncProgress(p =>
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
            $"{bclFloor.TotalSeconds / clock.Elapsed.TotalSeconds:0.00} x (load average {BenchData.LoadAverage()})"));
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


}
