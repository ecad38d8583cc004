// Applies a users CSV to a Kolibri database and stops forever inside one stage of the apply, for the kill tests.
//
//   KolibriFacility.ImportHost <db path> <csv path> <Hashing|Writing|None> [<min done>]
//
// It reads the CSV, plans against the database (exit 2 with a message if the plan has errors or is refused) and
// applies without a backup. On the first progress report of the requested stage whose Done is at least <min done>
// (default 1) it prints "STAGE <name> <done>/<total>", flushes and blocks forever: the progress callback runs on the
// applier's own thread, so for Writing the write transaction is open and the first <done> changes are written but
// not committed. With "None" it never blocks, applies, prints "APPLIED <changes>" and exits 0.
using System.Globalization;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Storage;

if (args.Length is < 3 or > 4)
{
    Console.Error.WriteLine("usage: KolibriFacility.ImportHost <db path> <csv path> <Hashing|Writing|None> [<min done>]");
    return 64;
}

var (databasePath, csvPath, stageName) = (args[0], args[1], args[2]);
string? stage = stageName switch
{
    "Hashing" => ImportApplier.HashingStage,
    "Writing" => ImportApplier.WritingStage,
    "None" => null,
    _ => null,
};
if (stage is null && stageName != "None")
{
    Console.Error.WriteLine($"Unknown stage '{stageName}': use Hashing, Writing or None.");
    return 64;
}

var minDone = args.Length == 4 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;

var document = UsersCsvReader.Read(csvPath);
ImportPlan plan;
using (var db = KolibriDatabase.OpenRead(databasePath))
{
    plan = new ImportPlanner(db).Plan(new FacilityDirectory(db).Resolve(null), document, new ImportOptions());
}

if (plan.HasErrors || plan.IsRefused)
{
    Console.Error.WriteLine(plan.RefusalReason ?? string.Join(Environment.NewLine, plan.Errors));
    return 2;
}

var result = ImportApplier.Apply(plan, document, new ImportApplyOptions
{
    DatabasePath = databasePath,
    Backup = false,
    Progress = stage is null ? null : new StopInStage(stage, minDone),
});
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"APPLIED {result.ChangesApplied}"));
return 0;

/// <summary>Announces the first report of its stage (with at least minDone done) on stdout, then never returns.</summary>
internal sealed class StopInStage(string stage, int minDone) : IProgress<ImportProgress>
{
    private int stopped;

    public void Report(ImportProgress value)
    {
        if (value.Stage != stage || value.Done < minDone || Interlocked.Exchange(ref stopped, 1) == 1)
        {
            return;
        }

        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STAGE {value.Stage} {value.Done}/{value.Total}"));
        Console.Out.Flush();
        Thread.Sleep(Timeout.Infinite);
    }
}
