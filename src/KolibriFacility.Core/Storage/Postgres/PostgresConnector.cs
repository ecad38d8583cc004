using System.Collections.Concurrent;
using System.Net.Sockets;
using Npgsql;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>Opens a connection to a PostgreSQL-backed Kolibri and says in plain words why when it cannot (never showing the password).</summary>
internal static class PostgresConnector
{
    // One data source per connection string, kept for the process: it holds no connection (pooling is off), only
    // the settings. Type loading is off: Kolibri's tables use built-in types only, and loading the server's type
    // catalog would cost some 80 ms at every open.
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> Sources = new(StringComparer.Ordinal);

    public static NpgsqlConnection Open(PostgresSettings settings, bool readOnly, string where)
    {
        var source = Sources.GetOrAdd(settings.ConnectionString(readOnly), static connectionString =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
            return builder.Build();
        });
        var connection = source.CreateConnection();
        try
        {
            connection.Open();
            return connection;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            connection.Dispose();
            throw Explain(settings, where, ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private static KolibriDatabaseException Explain(PostgresSettings settings, string where, Exception ex)
    {
        var server = settings.Describe();
        return ex switch
        {
            PostgresException { SqlState: "28P01" or "28000" } => new(DatabaseProblem.AuthenticationFailed, where,
                $"PostgreSQL refused the login of user '{settings.Username}' to {server}: {(settings.HasPassword ? "the password is wrong or the user may not log in" : "no password was given")} ({Reason(ex)}).", ex),
            PostgresException { SqlState: "3D000" } => new(DatabaseProblem.NotFound, where,
                $"The PostgreSQL server has no database '{settings.Database}' ({server}): check DATABASE_NAME in options.ini or the connection string.", ex),
            NpgsqlException when ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase) => new(DatabaseProblem.AuthenticationFailed, where,
                $"PostgreSQL asks user '{settings.Username}' for a password to {server}, and none was given (options.ini DATABASE_PASSWORD, -DatabaseCredential or the connection string).", ex),
            _ when Find<SocketException>(ex) is { } socket => new(DatabaseProblem.Unreachable, where,
                $"Cannot reach the PostgreSQL server of {server}: {socket.Message}. Is the server running, and are DATABASE_HOST and DATABASE_PORT right?", ex),
            _ when Find<TimeoutException>(ex) is not null => new(DatabaseProblem.Unreachable, where,
                $"The PostgreSQL server of {server} did not answer within {PostgresSettings.ConnectTimeout.TotalSeconds:0} s. Is the server running, and are DATABASE_HOST and DATABASE_PORT right?", ex),
            PostgresException pg => new(DatabaseProblem.Unreachable, where,
                $"The PostgreSQL server of {server} refused the connection: {pg.MessageText} (SQLSTATE {pg.SqlState}).", ex),
            _ => new(DatabaseProblem.Unreachable, where, $"Cannot connect to the PostgreSQL server of {server}: {ex.Message}", ex),
        };
    }

    private static string Reason(Exception ex) => ex is PostgresException pg ? pg.MessageText : ex.Message;

    private static T? Find<T>(Exception? ex) where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }
}
