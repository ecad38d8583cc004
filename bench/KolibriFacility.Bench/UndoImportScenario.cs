using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Bench;

/// <summary>
/// Undo-FacilityImport after big imports (issue 13's goal: under 5 s after an import of 5,000 users). Two cases on a
/// sandbox facility: the undo of an import that created 5,000 learners (the undo deletes them, checking each is as
/// the import left it and has no progress since), and the undo of an edit that deleted 5,000 users with their
/// memberships and logs (the undo inserts them all again with their ids). Only the undo is timed (plan read, lock,
/// re-plan, backup, writes, commit). KF_BENCH_UNDO_USERS sets the count (default 5,000; 1,000 with --quick).
/// </summary>
public sealed class UndoImportScenario : IBenchScenario
{
    public string Name => "undo-import";

    public void Run(BenchContext context, BenchReport report)
    {
        var count = BenchData.UserCount(context, "KF_BENCH_UNDO_USERS");

        // 1. An import that created `count` learners, each enrolled in a class.
        var folder = context.NewFolder("undo-created");
        var database = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = 1_000, Seed = 5 }).Path;
        var csv = Path.Combine(folder, "new-learners.csv");
        BenchData.WriteNewLearnersCsv(csv, count, "undo_learner_", "Undo Learner", i => "Bench Class " + (i % 20).ToString(CultureInfo.InvariantCulture));
        var document = UsersCsvReader.Read(csv);
        var plan = BenchData.Plan(database, document, new ImportOptions { NoDelete = true });

        var imported = ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = database });
        var (created, createdSeconds) = Undo(imported.JournalPath!, database);
        report.Add(Name, $"undo of an import that created {count:N0} users (+{count:N0} enrolments, 20 classes)", createdSeconds, "s");
        report.Add(Name, "  changes undone", created.ChangesUndone.ToString(CultureInfo.InvariantCulture));

        // 2. An edit that deleted `count` users with their memberships, roles and logs.
        folder = context.NewFolder("undo-deleted");
        database = SandboxDatabase.Create(Path.Combine(folder, "db.sqlite3"), new SandboxOptions { SampleUsers = count + 200, SampleLogs = count * 4, Seed = 6 }).Path;
        var edits = new FacilityEdits();
        using (var db = KolibriDatabase.OpenRead(database))
        using (var command = db.Command("SELECT id FROM kolibriauth_facilityuser WHERE id NOT IN (SELECT user_id FROM kolibriauth_role WHERE kind = 'admin') ORDER BY username LIMIT $n"))
        {
            command.Parameters.AddWithValue("$n", count);
            using var reader = command.ExecuteReader();
            while (reader.Read()) edits.Users.Add(new UserEdit { Action = UserEditAction.Delete, Id = reader.GetString(0) });
        }

        using (var db = KolibriDatabase.OpenRead(database))
        {
            plan = new ImportPlanner(db).Plan(new FacilityDirectory(db).Resolve(null), edits, new ImportOptions { Force = true });
        }

        imported = ImportApplier.Apply(plan, edits, new ImportApplyOptions { DatabasePath = database });
        var rows = File.ReadLines(imported.JournalPath!).Count(l => l.StartsWith("{\"type\":\"delete\"", StringComparison.Ordinal));
        var (restored, restoredSeconds) = Undo(imported.JournalPath!, database);
        report.Add(Name, string.Create(CultureInfo.InvariantCulture, $"undo of an edit that deleted {imported.Summary.UsersDeleted:N0} users ({rows:N0} rows with memberships, roles and logs)"), restoredSeconds, "s");
        report.Add(Name, "  changes undone", restored.ChangesUndone.ToString(CultureInfo.InvariantCulture));
    }

    private static (UndoResult Result, double Seconds) Undo(string journal, string database)
    {
        var clock = Stopwatch.StartNew();
        var result = UndoApplier.Apply(ImportJournal.Read(journal), new UndoApplyOptions { DatabasePath = database });
        clock.Stop();
        if (result.Refused.Count > 0)
        {
            throw new InvalidOperationException($"The bench's undo refused {result.Refused.Count} change(s): {result.Refused[0]}");
        }

        return (result, clock.Elapsed.TotalSeconds);
    }
}
