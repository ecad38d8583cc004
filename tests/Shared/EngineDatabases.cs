namespace KolibriFacility.Tests;

/// <summary>
/// What -Database would be in a test run on both engines: a copy of the SQLite fixture, or a KOLIBRI_HOME whose
/// options.ini names a fresh PostgreSQL copy of the fixture on <paramref name="server"/>. Dispose drops them all.
/// </summary>
public sealed class EngineDatabases(PostgresServer server) : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly List<IDisposable> created = [];

    public static TheoryData<string> Engines => ["sqlite", "postgres"];

    public string New(string engine)
    {
        if (engine == "sqlite")
        {
            return folder.CopyFixtureDatabase();
        }

        var database = server.CreateDatabase();
        created.Add(database);
        return database.Home.Path;
    }

    public void Dispose()
    {
        created.ForEach(d => d.Dispose());
        folder.Dispose();
    }
}
