namespace KolibriFacility.Tests;

/// <summary>
/// The base of every hosted-module test class: a module session with a copy of the Kolibri fixture database ($Db)
/// in a temporary folder ($Dir), both disposed after each test.
/// </summary>
public abstract class HostedModuleTest : IDisposable
{
    protected const string FacilityId = "9c9a861ccfe31c98f97cb3d38f9dc039";
    protected const string DatasetId = "e53af19467e2a90b59f255d539e476a6";
    protected const string DefaultExportName = "Demo Facility_9c9a_users.csv";

    protected HostedModuleTest()
    {
        Home = new TempFolder();
        Db = Home.CopyFixtureDatabase();
        Session = new ModuleSession();
    }

    protected TempFolder Home { get; }

    protected string Db { get; }

    protected ModuleSession Session { get; }

    /// <summary>The variables every script sees; a class adds its own by overriding.</summary>
    protected virtual Dictionary<string, object?> Vars => new() { ["Db"] = Db, ["Dir"] = Home.Path };

    protected ScriptResult Run(string script) => Session.Run(script, Vars);

    /// <summary>Runs a script that must succeed without errors.</summary>
    protected ScriptResult Ok(string script)
    {
        var result = Run(script);
        Assert.True(!result.ErrorIds.Any(), "unexpected errors: " + string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)) + result.Terminating);
        return result;
    }

    /// <summary>
    /// The script's plan is refused: one error has <paramref name="errorId"/> (an import rule's id), the last is
    /// ImportHasErrors, and the database file is byte for byte as before.
    /// </summary>
    protected void AssertPlanRefusedAndNothingWritten(string script, string errorId)
    {
        var before = DbFiles.Sha256(Db);
        var result = Run(script);
        Assert.Contains(result.Errors, e => e.FullyQualifiedErrorId.StartsWith(errorId + ",", StringComparison.Ordinal));
        Assert.StartsWith("ImportHasErrors,", result.ErrorIds.Last(), StringComparison.Ordinal);
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    protected static List<string> Strings(ScriptResult result, string property) =>
        result.Output.Select(o => o.Properties[property].Value?.ToString() ?? "").ToList();

    protected void Sql(string sql, params (string Name, object Value)[] parameters) => DbFiles.Execute(Db, sql, parameters);

    protected void AddFacility(string id, string name) => Sql("""
        INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
        VALUES ($id, 1, $id, $dataset, $name, 'facility', $dataset, NULL)
        """, ("$id", id), ("$name", name), ("$dataset", DatasetId));

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Session.Dispose();
            Home.Dispose();
        }
    }
}
