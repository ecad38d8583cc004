namespace KolibriFacility.Bench;

/// <summary>One benchmark scenario. The runner finds every implementation by reflection.</summary>
public interface IBenchScenario
{
    /// <summary>Short unique name, used to select scenarios on the command line.</summary>
    string Name { get; }

    /// <summary>Runs the scenario and reports its figures through <paramref name="report"/>.</summary>
    void Run(BenchContext context, BenchReport report);
}
