using System.Globalization;

namespace KolibriFacility.Bench;

/// <summary>Collects result lines; printed as a table at the end of the run.</summary>
public sealed class BenchReport
{
    private readonly List<(string Scenario, string Metric, string Value)> rows = [];

    public void Add(string scenario, string metric, string value)
    {
        rows.Add((scenario, metric, value));
        Console.WriteLine($"  {scenario,-28} {metric,-48} {value}");
    }

    public void Add(string scenario, string metric, double value, string unit) =>
        Add(scenario, metric, value.ToString("0.###", CultureInfo.InvariantCulture) + " " + unit);

    public void AddTime(string scenario, string metric, Measurement m) =>
        Add(scenario, metric, string.Create(CultureInfo.InvariantCulture, $"median {m.Median.TotalMilliseconds:0.0} ms (min {m.Min.TotalMilliseconds:0.0}, max {m.Max.TotalMilliseconds:0.0}), allocated {m.AllocatedBytes / 1048576.0:0.0} MiB"));

    public IReadOnlyList<(string Scenario, string Metric, string Value)> Rows => rows;
}
