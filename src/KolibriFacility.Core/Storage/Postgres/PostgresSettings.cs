using System.Globalization;
using Npgsql;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// Where a PostgreSQL-backed Kolibri's database is and how to log in. The password is kept for the connection only:
/// <see cref="ToString"/>, <see cref="Describe"/> and every message show the server, database and user, never it.
/// </summary>
public sealed class PostgresSettings
{
    public const int DefaultPort = 5432;

    /// <summary>How long opening a connection may take before the server counts as unreachable.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15);

    private readonly string? password;

    public PostgresSettings(string? host, int? port, string database, string? username, string? password)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            throw new ArgumentException("A PostgreSQL database name is required (options.ini [Database] DATABASE_NAME).", nameof(database));
        }

        Host = string.IsNullOrWhiteSpace(host) ? null : host.Trim();
        Port = port;
        Database = database.Trim();
        Username = string.IsNullOrWhiteSpace(username) ? null : username.Trim();
        this.password = string.IsNullOrEmpty(password) ? null : password;
    }

    /// <summary>Host name or address; null for the local Unix socket (as psycopg2 does with an empty DATABASE_HOST).</summary>
    public string? Host { get; }

    /// <summary>Where the connection goes: <see cref="Host"/>, or for none the folder of Debian's local Unix socket.</summary>
    internal string HostOrSocket => Host ?? "/var/run/postgresql";

    public int? Port { get; }

    public string Database { get; }

    public string? Username { get; }

    public bool HasPassword => password is not null;

    /// <summary>
    /// Settings from an Npgsql/libpq-style keyword connection string ("Host=...;Database=...;Username=...;Password=...").
    /// A <paramref name="username"/>/<paramref name="passwordOverride"/> (from a PSCredential) replace the string's own.
    /// </summary>
    public static PostgresSettings FromConnectionString(string connectionString, string? username = null, string? passwordOverride = null)
    {
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of Npgsql's parser can quote the string, password and all: say what is wrong in our words.
            throw new ArgumentException("The connection string is not a valid PostgreSQL connection string (keywords such as Host, Port, Database, Username, Password separated by ';'): " + MaskedReason(ex), nameof(connectionString));
        }

        if (string.IsNullOrWhiteSpace(builder.Database))
        {
            throw new ArgumentException("The connection string names no database (Database=...).", nameof(connectionString));
        }

        return new PostgresSettings(builder.Host, builder.Port == 0 ? null : builder.Port, builder.Database!,
            username ?? builder.Username, passwordOverride ?? builder.Password);
    }

    /// <summary>How <see cref="Describe()"/> begins: a database path that starts so names a connection, not a file.</summary>
    public const string Scheme = "postgres://";

    /// <summary>Whether a database path is the description of an explicit connection (-ConnectionString), not a file or a KOLIBRI_HOME.</summary>
    public static bool IsDescription(string database) => database.StartsWith(Scheme, StringComparison.Ordinal);

    /// <summary>Where the database is, without the password: <c>postgres://user@host:port/name</c>.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Scheme}{(Username is null ? "" : Username + "@")}{Host ?? "localhost"}:{Port ?? DefaultPort}/{Database}");

    public override string ToString() => Describe();

    /// <summary>Where a connection string points, without its password; a fixed text when it cannot be parsed.</summary>
    public static string Describe(string connectionString)
    {
        try
        {
            return FromConnectionString(connectionString).Describe();
        }
        catch (ArgumentException)
        {
            return "a PostgreSQL connection string";
        }
    }

    internal string ConnectionString(bool readOnly) => new NpgsqlConnectionStringBuilder
    {
        Host = HostOrSocket,
        Port = Port ?? DefaultPort,
        Database = Database,
        Username = Username,
        Password = password,
        Pooling = false,
        Timeout = (int)ConnectTimeout.TotalSeconds,
        ApplicationName = "KolibriFacility",
        // Django's connections run in UTC, and Core's timestamps are its zone-less SQLite text, read as this zone.
        Timezone = "UTC",
        // Keeps the password out of NpgsqlConnection.ConnectionString once the connection is open.
        PersistSecurityInfo = false,
        Options = readOnly ? "-c default_transaction_read_only=on" : null,
        // Npgsql's default of 30 s would cut a write's lock wait that lock_timeout (-TimeoutSec) allows, or a long
        // cascade; a write's statements end at lock_timeout, their own end, or Ctrl+C (PostgresStatementCanceller).
        CommandTimeout = readOnly ? DefaultCommandTimeout : 0,
    }.ConnectionString;

    private const int DefaultCommandTimeout = 30;

    /// <summary>The password, for a child program's PGPASSWORD and for masking what it prints; never for messages.</summary>
    internal string? Password => password;

    /// <summary>
    /// The environment that points libpq's programs (pg_dump, pg_restore) at this database: PGHOST, PGPORT, PGUSER and
    /// PGPASSWORD (so the password is never on a command line), in the child process only.
    /// </summary>
    internal IReadOnlyDictionary<string, string?> ClientEnvironment() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["PGHOST"] = HostOrSocket,
        ["PGPORT"] = (Port ?? DefaultPort).ToString(CultureInfo.InvariantCulture),
        ["PGUSER"] = Username,
        ["PGPASSWORD"] = password,
        ["PGAPPNAME"] = "KolibriFacility",
        ["PGCONNECT_TIMEOUT"] = ((int)ConnectTimeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// The database as a libpq --dbname argument: a quoted "dbname='...'" keyword, so that a name with '=' or a URI
    /// prefix is taken as a name, not as connection settings.
    /// </summary>
    internal string DatabaseArgument() => "dbname='" + Database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string MaskedReason(ArgumentException ex) =>
        ex.Message.Contains('=', StringComparison.Ordinal) || ex.Message.Contains(';', StringComparison.Ordinal) ? "it could not be parsed." : ex.Message;
}
