using System.Globalization;
using System.Text;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Bench;

/// <summary>The inputs and small adapters several scenarios share.</summary>
internal static class BenchData
{
    /// <summary>A count from an environment variable, else 1,000 with --quick and 5,000 otherwise.</summary>
    public static int UserCount(BenchContext context, string variable) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : context.Repetitions <= 3 ? 1_000 : 5_000;

    /// <summary>A users CSV of <paramref name="count"/> new learners "{prefix}{i}" with password "pw-{i}-kolibri", each enrolled in <paramref name="classOf"/>(i) (none when null).</summary>
    public static void WriteNewLearnersCsv(string path, int count, string prefix, string fullNamePrefix, Func<int, string>? classOf = null)
    {
        var text = new StringBuilder(string.Join(",", UsersCsvFormat.Columns)).Append("\r\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $",{prefix}{i},pw-{i}-kolibri,{fullNamePrefix} {i},LEARNER,,,,{classOf?.Invoke(i)},\r\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(true));
    }

    /// <summary>The plan of a CSV document against the database's default facility.</summary>
    public static ImportPlan Plan(string database, UsersCsvDocument document, ImportOptions options)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return new ImportPlanner(db).Plan(new FacilityDirectory(db).Resolve(null), document, options);
    }

    /// <summary>The 1-minute load average, or "n/a" where /proc/loadavg does not exist.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}

/// <summary>Reports progress on the reporting thread (Progress&lt;T&gt; posts to the thread pool, too late for a clock).</summary>
internal sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
{
    public void Report(ImportProgress value) => report(value);
}
