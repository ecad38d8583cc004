using Npgsql;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// Ctrl+C during a PostgreSQL statement. A synchronous statement does not look at the cancellation token, and a lock
/// wait may last the whole -TimeoutSec: cancelling asks the server to cancel the connection's running statement
/// (pg_cancel_backend from a second connection, which the same user may do), which then fails with query_canceled.
/// Between statements it does nothing: the writer's own checks of the token stop it there.
/// </summary>
internal static class PostgresStatementCanceller
{
    public static CancellationTokenRegistration Register(PostgresSettings settings, NpgsqlConnection connection, string where, CancellationToken cancellation)
    {
        if (!cancellation.CanBeCanceled)
        {
            return default;
        }

        var processId = connection.ProcessID;
        return cancellation.Register(() => Cancel(settings, processId, where));
    }

    private static void Cancel(PostgresSettings settings, int processId, string where)
    {
        try
        {
            using var other = PostgresConnector.Open(settings, readOnly: true, where);
            using var command = new NpgsqlCommand("SELECT pg_cancel_backend($1)", other);
            command.Parameters.Add(new NpgsqlParameter { Value = processId });
            command.ExecuteNonQuery();
        }
        catch (Exception ex) when (ex is NpgsqlException or KolibriDatabaseException or TimeoutException)
        {
            // Best effort: the statement then ends at its lock_timeout, and the cancellation is seen after it.
        }
    }
}
