namespace KolibriFacility.Core.Storage;

/// <summary>Why a Kolibri database could not be used.</summary>
public enum DatabaseProblem
{
    NotFound,
    NotADatabase,
    UnsupportedSchema,
    Busy,
    ReadOnly,

    /// <summary>The database file is writable but its folder is not, so SQLite cannot create its journal.</summary>
    FolderReadOnly,

    /// <summary>The disk holding the database is full.</summary>
    DiskFull,

    /// <summary>The database server cannot be reached (not running, wrong host or port, no answer).</summary>
    Unreachable,

    /// <summary>The database server refused the login (wrong or missing password, unknown user).</summary>
    AuthenticationFailed,

    /// <summary>KOLIBRI_HOME's [Database] settings (options.ini or KOLIBRI_DATABASE_* variables) are not usable.</summary>
    InvalidSettings,
}

/// <summary>A Kolibri database could not be opened or used; the message says which and where.</summary>
public sealed class KolibriDatabaseException : Exception
{
    public KolibriDatabaseException(DatabaseProblem problem, string path, string message, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
        Path = path;
    }

    public DatabaseProblem Problem { get; }

    public string Path { get; }
}
