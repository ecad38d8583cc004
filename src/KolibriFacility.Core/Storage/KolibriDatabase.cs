using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// One open connection to a Kolibri db.sqlite3. Opening never changes the file: no journal-mode switch,
/// no schema writes; read-only opens use SQLite's read-only mode.
/// </summary>
public sealed class KolibriDatabase : IDisposable
{
    /// <summary>How long a writer waits for Kolibri to release the database before failing (Kolibri itself uses 100 s).</summary>
    public static readonly TimeSpan DefaultBusyTimeout = TimeSpan.FromSeconds(30);

    private readonly SqliteConnection sqlite;

    private KolibriDatabase(string path, SqliteConnection connection)
    {
        Path = path;
        sqlite = connection;
    }

    public string Path { get; }

    public DbConnection Connection => sqlite;

    /// <summary>The KOLIBRI_HOME this database lives in (its folder).</summary>
    public string Home => KolibriDatabaseLocator.HomeOf(Path);

    public static KolibriDatabase OpenRead(string path) => Open(path, SqliteOpenMode.ReadOnly, DefaultBusyTimeout);

    public static KolibriDatabase OpenWrite(string path, TimeSpan? busyTimeout = null) =>
        Open(path, SqliteOpenMode.ReadWrite, busyTimeout ?? DefaultBusyTimeout);

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
            full = System.IO.Path.Combine(full, KolibriDatabaseLocator.DatabaseFileName);
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
            SchemaValidator.Validate(connection, full);
            if (mode == SqliteOpenMode.ReadOnly)
            {
                UseReadCache(connection);
            }

            return new KolibriDatabase(full, connection);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */)
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
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>A write transaction that takes the write lock now, not at the first write (SQLite's BEGIN IMMEDIATE).</summary>
    public DbTransaction BeginWrite() => sqlite.BeginTransaction(deferred: false);

    /// <summary>
    /// Registers Kolibri's username folding (Python's, which folds every script; SQLite's lower() folds ASCII only)
    /// as an SQL function and returns its name.
    /// </summary>
    internal string UsernameFoldFunction()
    {
        const string name = "kf_fold_username";
        sqlite.CreateFunction(name, (string? value) => value is null ? null : Users.UsernameComparer.Fold(value), isDeterministic: true);
        return name;
    }

    public void Dispose() => sqlite.Dispose();
}
