using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Security;

namespace KolibriFacility.Bench;

/// <summary>
/// PBKDF2-HMAC-SHA256 at Kolibri's 260,000 iterations: hashes per second on one core for each path this machine has
/// (BCL, Vector128, Vector256, Vector512), then with every core busy for the BCL and the default path. Rounds are
/// interleaved (each round measures every path once), so a machine shared with other work loads them all alike and
/// the ratios hold even when the absolute rates do not.
/// </summary>
public sealed class HashingScenario : IBenchScenario
{
    private static readonly TimeSpan TargetPerFigure = TimeSpan.FromSeconds(1.5);

    public string Name => "hashing";

    public void Run(BenchContext context, BenchReport report)
    {
        var paths = PasswordHasher.SupportedPaths;
        var hashers = paths.ToDictionary(p => p, p => new PasswordHasher(p));
        var best = PasswordHasher.Default;
        report.Add(Name, "paths on this machine (fastest first)", string.Join(", ", paths));
        report.Add(Name, "default path", $"{best.Path} ({best.Lanes} passwords per core at once; rejected: {(best.Rejections.Count == 0 ? "none" : string.Join("; ", best.Rejections))})");

        // Size each figure to about TargetPerFigure from one calibration batch per path.
        var perCoreCount = paths.ToDictionary(p => p, p => Calibrate(hashers[p], 1));
        var cores = Environment.ProcessorCount;
        var allCoresCount = new Dictionary<string, int>
        {
            ["BCL"] = Calibrate(hashers[Pbkdf2Path.Bcl], cores),
            [best.Path.ToString()] = Calibrate(best, cores),
        };

        var perCore = paths.ToDictionary(p => p, _ => new List<double>());
        var allCores = allCoresCount.Keys.ToDictionary(k => k, _ => new List<double>());
        for (var round = 0; round < context.Repetitions; round++)
        {
            foreach (var path in paths)
            {
                perCore[path].Add(Rate(hashers[path], perCoreCount[path], 1));
            }

            allCores["BCL"].Add(Rate(hashers[Pbkdf2Path.Bcl], allCoresCount["BCL"], cores));
            allCores[best.Path.ToString()].Add(Rate(best, allCoresCount[best.Path.ToString()], cores));
        }

        var bclPerCore = Median(perCore[Pbkdf2Path.Bcl]);
        foreach (var path in paths)
        {
            var rate = Median(perCore[path]);
            report.Add(Name, $"{path} on one core", string.Create(CultureInfo.InvariantCulture,
                $"{rate:0.0} hashes/s ({1000 / rate:0.0} ms per hash), {rate / bclPerCore:0.00} x BCL"));
        }

        var bclAll = Median(allCores["BCL"]);
        var bestAll = Median(allCores[best.Path.ToString()]);
        report.Add(Name, $"BCL, {cores} cores busy", string.Create(CultureInfo.InvariantCulture, $"{bclAll:0.0} hashes/s"));
        report.Add(Name, $"{best.Path}, {cores} cores busy", string.Create(CultureInfo.InvariantCulture,
            $"{bestAll:0.0} hashes/s = {bestAll / bclAll:0.00} x BCL (goal >= 5)"));
        report.Add(Name, "projected: hashing 5,000 new users", string.Create(CultureInfo.InvariantCulture,
            $"{5000 / bestAll:0.0} s ({best.Path}) vs {5000 / bclAll:0.0} s (BCL)"));
        report.Add(Name, "load average (1 min) at the end", BenchData.LoadAverage());
    }

    /// <summary>How many passwords (whole batches per core) take about <see cref="TargetPerFigure"/>.</summary>
    private static int Calibrate(PasswordHasher hasher, int cores)
    {
        var batch = hasher.Lanes * cores;
        var clock = Stopwatch.StartNew();
        Hash(hasher, batch, cores);
        var batches = Math.Max(1, (int)Math.Round(TargetPerFigure / clock.Elapsed));
        return batch * batches;
    }

    private static double Rate(PasswordHasher hasher, int count, int cores)
    {
        var clock = Stopwatch.StartNew();
        Hash(hasher, count, cores);
        return count / clock.Elapsed.TotalSeconds;
    }

    private static void Hash(PasswordHasher hasher, int count, int cores)
    {
        var passwords = Enumerable.Range(0, count).Select(i => "bench-password-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        hasher.HashAll(passwords, new PasswordHashingOptions { Parallelism = cores });
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
