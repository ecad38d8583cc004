using System.Globalization;
using Npgsql;

namespace KolibriFacility.Tests;

/// <summary>
/// One test's Kolibri database on either engine, for one test body run on both: a copy of the SQLite fixture, or a
/// fresh copy of its PostgreSQL twin on the tests' private server with a KOLIBRI_HOME whose options.ini names it.
/// <see cref="Database"/> is what -Database takes; <see cref="Digest"/> changes with any change to the data;
/// <see cref="Rows"/> runs SQL that both engines understand (ids are compared through <see cref="Id"/>).
/// </summary>
public sealed class EngineDatabase : IDisposable
{
    private readonly PostgresTestDatabase? postgres;

    private EngineDatabase(string engine, string database, string home, PostgresTestDatabase? postgres)
    {
        Engine = engine;
        Database = database;
        Home = home;
        this.postgres = postgres;
    }

    public static TheoryData<string> Engines => ["sqlite", "postgres"];

    /// <summary>The SQLite database <paramref name="sqliteFile"/> (a copy of the fixture the test owns), or a new PostgreSQL one.</summary>
    public static EngineDatabase Create(string engine, string sqliteFile, PostgresServer server) => engine switch
    {
        "sqlite" => new EngineDatabase(engine, sqliteFile, Path.GetDirectoryName(sqliteFile)!, null),
        "postgres" => FromPostgres(server.CreateDatabase()),
        _ => throw new ArgumentException($"No engine '{engine}'.", nameof(engine)),
    };

    private static EngineDatabase FromPostgres(PostgresTestDatabase database) => new("postgres", database.Home.Path, database.Home.Path, database);

    public string Engine { get; }

    /// <summary>What -Database takes: the db.sqlite3, or the KOLIBRI_HOME whose options.ini names the PostgreSQL database.</summary>
    public string Database { get; }

    /// <summary>The KOLIBRI_HOME: backups and journals go to its backups folder.</summary>
    public string Home { get; }

    public string Backups => Path.Combine(Home, "backups");

    /// <summary>The connection string of the PostgreSQL database (with the password); null on SQLite.</summary>
    public string? ConnectionString => postgres?.ConnectionString;

    /// <summary>Kolibri's own export of this fixture's users (the same users; ids and row order differ between the engines).</summary>
    public string KolibriExport => Engine == "sqlite" ? TestPaths.Fixture("users-export.csv") : PostgresServer.Fixture("users-export.csv");

    /// <summary>An id column as 32 hex digits on both engines (PostgreSQL's uuid prints with dashes).</summary>
    public static string Id(string column) => $"replace(CAST({column} AS text), '-', '')";

    /// <summary>
    /// A digest of everything in the database: the file's SHA-256 on SQLite; on PostgreSQL the MD5 of every table's
    /// rows in schema public (sorted, so only the data counts, not where the rows lie).
    /// </summary>
    public string Digest()
    {
        if (postgres is null)
        {
            return DbFiles.Sha256(Database);
        }

        var tables = Rows("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")
            .Select(r => r[0]).ToList();
        var perTable = string.Join(" UNION ALL ", tables.Select(t =>
            $"SELECT '{t}' AS t, md5(coalesce(string_agg(r::text, E'\\n' ORDER BY r::text), '')) AS d FROM public.\"{t}\" r"));
        return Rows($"SELECT md5(string_agg(t || '=' || d, ',' ORDER BY t)) FROM ({perTable}) x").Single()[0];
    }

    /// <summary>Runs a query and returns its rows as invariant strings (NULL as "", booleans as 1/0 on both engines).</summary>
    public List<string[]> Rows(string sql)
    {
        if (postgres is null)
        {
            return DbFiles.Rows(Database, sql);
        }

        using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => reader.GetValue(i) switch
            {
                DBNull => "",
                bool b => b ? "1" : "0",
                Guid g => g.ToString("N"),
                var v => Convert.ToString(v, CultureInfo.InvariantCulture)!,
            }).ToArray());
        }

        return rows;
    }

    public string Scalar(string sql) => Rows(sql).Single()[0];

    /// <summary>Changes data behind the module's back, as Kolibri or another admin would.</summary>
    public void Execute(string sql)
    {
        if (postgres is null)
        {
            DbFiles.Execute(Database, sql);
            return;
        }

        using var connection = new NpgsqlConnection(postgres.ConnectionString + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose() => postgres?.Dispose();
}
