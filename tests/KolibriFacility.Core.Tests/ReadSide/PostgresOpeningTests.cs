using System.Collections;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Storage.Postgres;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

/// <summary>
/// Choosing and opening a PostgreSQL-backed Kolibri as Kolibri does (options.ini [Database], KOLIBRI_DATABASE_*
/// variables), and the errors that say what is wrong, never with the password.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresOpeningTests(PostgresServer server) : IDisposable
{
    private readonly TempFolder home = new();

    public void Dispose() => home.Dispose();

    private void Options(string database, string password = PostgresServer.Password, int? port = null, string engine = "postgres") =>
        File.WriteAllText(home.File("options.ini"), $"""
            # a comment
            [Paths]
            CONTENT_DIR = /somewhere
            [Database]
            DATABASE_ENGINE = {engine}
            DATABASE_NAME = {database}
            DATABASE_USER = kolibri
            DATABASE_PASSWORD = "{password}"
            DATABASE_HOST = 127.0.0.1
            DATABASE_PORT = {port ?? server.Port}
            """);

    private KolibriDatabaseException OpenFails() => Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(home.Path).Dispose());

    [Fact]
    public void A_home_without_database_settings_is_sqlite_and_environment_variables_override_the_file()
    {
        Assert.Equal(DatabaseEngine.Sqlite, KolibriDatabaseOptions.EngineOf(home.Path, new Hashtable()));
        Options("kolibri");
        Assert.Equal(DatabaseEngine.PostgreSql, KolibriDatabaseOptions.EngineOf(home.Path, new Hashtable()));
        Assert.Equal(DatabaseEngine.Sqlite, KolibriDatabaseOptions.EngineOf(home.Path, new Hashtable { ["KOLIBRI_DATABASE_ENGINE"] = "sqlite" }));

        var settings = KolibriDatabaseOptions.PostgresSettingsOf(home.Path, new Hashtable { ["KOLIBRI_DATABASE_NAME"] = "other", ["KOLIBRI_DATABASE_PORT"] = "6000" })!;
        Assert.Equal(("127.0.0.1", 6000, "other", "kolibri", true), (settings.Host, settings.Port, settings.Database, settings.Username, settings.HasPassword));
        Assert.Equal("postgres://kolibri@127.0.0.1:6000/other", settings.ToString());
    }

    [Fact]
    public void An_unknown_engine_or_a_bad_port_is_named_with_the_rule()
    {
        Options("kolibri", engine: "mysql");
        var engine = OpenFails();
        Assert.Equal(DatabaseProblem.InvalidSettings, engine.Problem);
        Assert.Contains("'mysql'", engine.Message);

        var port = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabaseOptions.PostgresSettingsOf(home.Path, new Hashtable { ["KOLIBRI_DATABASE_ENGINE"] = "postgres", ["KOLIBRI_DATABASE_PORT"] = "54x" }));
        Assert.Equal(DatabaseProblem.InvalidSettings, port.Problem);
        Assert.Contains("'54x'", port.Message);
    }

    [Fact]
    public void A_stopped_server_is_unreachable()
    {
        Options(server.ReadOnlyDatabase.Name, port: ClosedPort());
        var ex = OpenFails();
        Assert.Equal(DatabaseProblem.Unreachable, ex.Problem);
        Assert.Contains("postgres://kolibri@127.0.0.1:", ex.Message);
        Assert.DoesNotContain(PostgresServer.Password, ex.ToString());
    }

    [Fact]
    public void A_wrong_password_fails_authentication_without_showing_it()
    {
        const string wrong = "not-the-Secret-42";
        Options(server.ReadOnlyDatabase.Name, password: wrong);
        var ex = OpenFails();
        Assert.Equal(DatabaseProblem.AuthenticationFailed, ex.Problem);
        Assert.Contains("'kolibri'", ex.Message);
        Assert.DoesNotContain(wrong, ex.ToString());
    }

    [Fact]
    public void A_missing_database_is_not_found()
    {
        Options("no_such_database");
        var ex = OpenFails();
        Assert.Equal(DatabaseProblem.NotFound, ex.Problem);
        Assert.Contains("'no_such_database'", ex.Message);
    }

    [Fact]
    public void A_database_without_kolibris_tables_is_not_kolibris()
    {
        Options("postgres");
        var ex = OpenFails();
        Assert.Equal(DatabaseProblem.NotADatabase, ex.Problem);
        Assert.Contains("PostgreSQL database but not a Kolibri database", ex.Message);
    }

    [Fact]
    public void A_kolibri_schema_without_the_columns_the_module_needs_is_unsupported()
    {
        using var database = server.CreateDatabase();
        database.Sql("ALTER TABLE kolibriauth_facilityuser DROP COLUMN id_number");
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(database.Home.Path).Dispose());
        Assert.Equal(DatabaseProblem.UnsupportedSchema, ex.Problem);
        Assert.Contains("kolibriauth_facilityuser lacks id_number", ex.Message);
    }

    [Fact]
    public void A_connection_string_opens_the_database_and_is_shown_without_its_password()
    {
        var settings = PostgresSettings.FromConnectionString(server.ReadOnlyDatabase.ConnectionString);
        using var db = KolibriDatabase.OpenPostgres(settings, readOnly: true);
        Assert.Equal(settings.Describe(), db.Path);
        Assert.DoesNotContain(PostgresServer.Password, db.Path + settings + db.Connection.ConnectionString);
        Assert.Equal(DatabaseEngine.PostgreSql, db.Engine);
    }

    [Fact]
    public void Reads_run_in_read_only_transactions()
    {
        using var db = KolibriDatabase.OpenRead(server.ReadOnlyDatabase.Home.Path);
        using var command = db.Command("UPDATE kolibriauth_facilityuser SET full_name = 'x'");
        var ex = Assert.ThrowsAny<System.Data.Common.DbException>(() => command.ExecuteNonQuery());
        Assert.Contains("read-only", ex.Message);
    }

    [Fact]
    public void Opening_a_postgresql_backed_kolibri_for_writing_connects_to_the_server_its_options_name()
    {
        Options("kolibri", port: ClosedPort());
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenWrite(home.Path).Dispose());
        Assert.Equal(DatabaseProblem.Unreachable, ex.Problem);
        Assert.Equal(home.Path, ex.Path);
    }

    private static int ClosedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
