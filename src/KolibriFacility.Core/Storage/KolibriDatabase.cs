using System.Data.Common;
using System.Globalization;
using KolibriFacility.Core.Storage.Postgres;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// One open connection to a Kolibri database: a db.sqlite3, or the PostgreSQL database a KOLIBRI_HOME's options.ini
/// names (docs/PostgreSQL.md). Opening never changes the database: no journal-mode switch, no schema writes;
/// read-only opens use SQLite's read-only mode or PostgreSQL's read-only transactions.
/// </summary>
public sealed class KolibriDatabase : IDisposable
{
    /// <summary>How long a writer waits for Kolibri to release the database before failing (Kolibri itself uses 100 s).</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly SqliteConnection? sqlite;
    private readonly string? home;
    private readonly PostgresSettings? postgres;
    private DbConnection? lookupConnection;

    private KolibriDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        sqlite = connection;
        Connection = connection;
        Dialect = SqlDialect.Sqlite;
    }

    private KolibriDatabase(string path, string? home, PostgresSettings settings, DbConnection connection)
    {
        Path = path;
        this.home = home;
        postgres = settings;
        Connection = connection;
        Dialect = SqlDialect.PostgreSql;
    }

    /// <summary>
    /// Where the database is: the db.sqlite3 file; for PostgreSQL the KOLIBRI_HOME whose options.ini names it, or
    /// <c>postgres://user@host:port/name</c> when opened from a connection string (never with the password).
    /// </summary>
    public string Path { get; }

    public DbConnection Connection { get; }

    /// <summary>The settings of a PostgreSQL database (for pg_dump and pg_restore), or null for SQLite.</summary>
    internal PostgresSettings? Postgres => postgres;

    /// <summary>
    /// On PostgreSQL, cancelling <paramref name="cancellation"/> also cancels the statement running on this connection,
    /// a lock wait included (<see cref="PostgresStatementCanceller"/>); nothing on SQLite, whose busy wait ends at its timeout.
    /// </summary>
    internal CancellationTokenRegistration CancelStatementsOn(CancellationToken cancellation) =>
        postgres is not null && Connection is Npgsql.NpgsqlConnection npgsql
            ? PostgresStatementCanceller.Register(postgres, npgsql, Path, cancellation)
            : default;

    public SqlDialect Dialect { get; }

    public DatabaseEngine Engine => Dialect.Engine;

    /// <summary>The KOLIBRI_HOME this database belongs to: the SQLite file's folder, or the folder whose options.ini names the PostgreSQL database.</summary>
    public string Home => sqlite is not null ? KolibriDatabaseLocator.HomeOf(Path) : home ?? KolibriDatabaseLocator.ResolveHome();

    /// <summary>Opens a db.sqlite3, or a KOLIBRI_HOME folder's database (SQLite or PostgreSQL, as its options.ini says).</summary>
    public static KolibriDatabase OpenRead(string path) =>
        KolibriDatabaseLocator.PostgresSettingsOf(path) is { } postgres
            ? OpenPostgres(postgres, readOnly: true, home: System.IO.Path.GetFullPath(path))
            : Open(path, SqliteOpenMode.ReadOnly, DefaultBusyTimeout);

    /// <summary>
    /// Opens a db.sqlite3, or a KOLIBRI_HOME folder's database, for writing; <paramref name="connection"/> (an explicit
    /// PostgreSQL connection, -ConnectionString) is used instead of the path's options.ini when given.
    /// </summary>
    public static KolibriDatabase OpenWrite(string path, TimeSpan? busyTimeout = null, PostgresSettings? connection = null)
    {
        if (connection is not null)
        {
            return OpenPostgres(connection, readOnly: false);
        }

        return KolibriDatabaseLocator.PostgresSettingsOf(path) is { } postgres
            ? OpenPostgres(postgres, readOnly: false, home: System.IO.Path.GetFullPath(path))
            : Open(path, SqliteOpenMode.ReadWrite, busyTimeout ?? DefaultBusyTimeout);
    }

    /// <summary>
    /// Opens a PostgreSQL-backed Kolibri's database. <paramref name="home"/> is the KOLIBRI_HOME whose options.ini
    /// named it (shown as <see cref="Path"/>), or null for an explicit connection.
    /// </summary>
    public static KolibriDatabase OpenPostgres(PostgresSettings settings, bool readOnly, string? home = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var where = home ?? settings.Describe();
        var connection = PostgresConnector.Open(settings, readOnly, where);
        try
        {
            SchemaValidator.Validate(connection, SqlDialect.PostgreSql, where, "a PostgreSQL database");
            return new KolibriDatabase(where, home, settings, connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Creates an empty SQLite file (used by the sandbox builder only); fails if the file exists.</summary>
    internal static KolibriDatabase CreateEmpty(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new IOException($"The file '{full}' already exists.");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var connection = new SqliteConnection(ConnectionString(full, SqliteOpenMode.ReadWriteCreate, DefaultBusyTimeout));
        connection.Open();
        return new KolibriDatabase(full, connection);
    }

    private static KolibriDatabase Open(string path, SqliteOpenMode mode, TimeSpan busyTimeout)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            full = KolibriDatabaseLocator.SqliteFileIn(full);
        }

        if (!File.Exists(full))
        {
            throw new KolibriDatabaseException(
                DatabaseProblem.NotFound,
                full,
                $"No Kolibri database at '{full}' (KOLIBRI_HOME is the folder that holds db.sqlite3; default ~/.kolibri).");
        }

        var connection = new SqliteConnection(ConnectionString(full, mode, busyTimeout));
        try
        {
            connection.Open();
            SchemaValidator.Validate(connection, SqlDialect.Sqlite, full, "an SQLite file");
            if (mode == SqliteOpenMode.ReadOnly)
            {
                UseReadCache(connection);
            }

            return new KolibriDatabase(full, connection);
        }
        catch (SqliteException ex) when (DbFailures.Classify(ex) == DbFailure.Damaged)
        {
            connection.Dispose();
            throw new KolibriDatabaseException(DatabaseProblem.NotADatabase, full, $"'{full}' is not a Kolibri database: it is not an SQLite database file ({ex.Message}).", ex);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Readers walk a user's roles and memberships through several indexes per row; SQLite's default 2 MiB page
    /// cache makes large facilities re-read those pages. 16 MiB (a connection setting, the file is untouched) caps
    /// the memory and makes 20k-user reads about a fifth faster.
    /// </summary>
    private static void UseReadCache(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cache_size = -16384";
        command.ExecuteNonQuery();
    }

    private static string ConnectionString(string path, SqliteOpenMode mode, TimeSpan busyTimeout) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = mode,
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(busyTimeout.TotalSeconds),
            ForeignKeys = false,
        }.ToString();

    public DbCommand Command(string sql, DbTransaction? transaction = null)
    {
        var command = Dialect.CreateCommand(Connection);
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>
    /// A command for short lookups made while a reader of <see cref="Command"/> is still open: on SQLite the same
    /// connection; PostgreSQL runs one command at a time per connection, so there a second, read-only one.
    /// </summary>
    internal DbCommand LookupCommand(string sql)
    {
        if (postgres is not null)
        {
            lookupConnection ??= PostgresConnector.Open(postgres, readOnly: true, Path);
        }

        var command = Dialect.CreateCommand(lookupConnection ?? Connection);
        command.CommandText = sql;
        return command;
    }

    /// <summary>
    /// A write transaction that holds Kolibri's writers off the facility tables from now on, not from the first write,
    /// waiting at most <paramref name="lockTimeout"/> for them (docs/PostgreSQL.md, Locking): SQLite's BEGIN IMMEDIATE
    /// with its busy timeout; on PostgreSQL a SHARE ROW EXCLUSIVE lock on <see cref="WriteLockedTables"/> (readers go on,
    /// writers wait) under <c>lock_timeout</c>, which also bounds every row lock the transaction waits for later.
    /// A lock not had in time fails with <see cref="DbFailure.Busy"/>.
    /// </summary>
    public DbTransaction BeginWrite(TimeSpan? lockTimeout = null)
    {
        var timeout = ((long)(lockTimeout ?? DefaultBusyTimeout).TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        if (sqlite is not null)
        {
            using (var pragma = Command("PRAGMA busy_timeout = " + timeout))
            {
                pragma.ExecuteNonQuery();
            }

            return sqlite.BeginTransaction(deferred: false);
        }

        var transaction = Connection.BeginTransaction(System.Data.IsolationLevel.ReadCommitted);
        try
        {
            using var command = Command($"SET LOCAL lock_timeout = {timeout}; LOCK TABLE {string.Join(", ", WriteLockedTables)} IN SHARE ROW EXCLUSIVE MODE", transaction);
            command.ExecuteNonQuery();
            return transaction;
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    /// <summary>The tables whose writers a PostgreSQL write transaction holds off: the facility's users, classes, roles and memberships.</summary>
    public static IReadOnlyList<string> WriteLockedTables { get; } =
        ["kolibriauth_facilitydataset", "kolibriauth_collection", "kolibriauth_facilityuser", "kolibriauth_role", "kolibriauth_membership"];

    /// <summary>
    /// Registers Kolibri's username folding (Python's, which folds every script; SQLite's lower() folds ASCII only)
    /// as an SQL function and returns its name; null where the engine cannot call back into .NET (PostgreSQL), and
    /// the caller folds the rows it reads instead.
    /// </summary>
    internal string? UsernameFoldFunction()
    {
        const string name = "kf_fold_username";
        if (sqlite is null)
        {
            return null;
        }

        sqlite.CreateFunction(name, (string? value) => value is null ? null : Users.UsernameComparer.Fold(value), isDeterministic: true);
        return name;
    }

    public void Dispose()
    {
        lookupConnection?.Dispose();
        Connection.Dispose();
    }
}
