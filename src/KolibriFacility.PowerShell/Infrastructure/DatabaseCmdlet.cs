using System.Management.Automation;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Storage.Postgres;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of every KolibriFacility cmdlet that works on an existing database: -Database, and -ConnectionString with
/// -DatabaseCredential for a PostgreSQL-backed Kolibri named directly.
/// </summary>
public abstract class DatabaseCmdlet : KolibriCmdlet
{
    /// <summary>
    /// Path of Kolibri's db.sqlite3 (or the folder holding it). Default: $env:KOLIBRI_HOME/db.sqlite3, else
    /// ~/.kolibri/db.sqlite3. A KOLIBRI_HOME whose options.ini (or KOLIBRI_DATABASE_ENGINE) says postgres stands for
    /// its PostgreSQL database. Binds by property name, so objects of this module piped on keep their database.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DatabasePath")]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>A PostgreSQL connection string (Host=...;Port=...;Database=...;Username=...), used instead of -Database.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ConnectionString { get; set; }

    /// <summary>The PostgreSQL user and password for -ConnectionString (they replace the string's own).</summary>
    [Parameter]
    [Credential]
    public PSCredential? DatabaseCredential { get; set; }

    /// <summary>
    /// The database this command works on, resolved through PowerShell's current location: a db.sqlite3 file, or a
    /// KOLIBRI_HOME folder whose Kolibri runs on PostgreSQL, or (with -ConnectionString) its postgres://user@host:port/name
    /// without the password.
    /// </summary>
    protected string DatabaseFile
    {
        get
        {
            if (ConnectionString is not null)
            {
                return ExplicitSettings().Describe();
            }

            if (DatabaseCredential is not null)
            {
                throw new PSArgumentException("-DatabaseCredential goes with -ConnectionString: the user and password of a KOLIBRI_HOME's PostgreSQL database come from its options.ini.", nameof(DatabaseCredential));
            }

            return KolibriDatabaseLocator.Resolve(Database is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Database));
        }
    }

    /// <summary>Opens the database read-only; the caller disposes it.</summary>
    protected KolibriDatabase OpenRead() =>
        ConnectionString is null ? KolibriDatabase.OpenRead(DatabaseFile) : KolibriDatabase.OpenPostgres(ExplicitSettings(), readOnly: true);

    /// <summary>Opens read-only the database at <paramref name="path"/> (one this command opened before), or the -ConnectionString one.</summary>
    protected KolibriDatabase OpenRead(string path) =>
        ConnectionString is null ? KolibriDatabase.OpenRead(path) : KolibriDatabase.OpenPostgres(ExplicitSettings(), readOnly: true);

    /// <summary>The PostgreSQL connection of -ConnectionString (with -DatabaseCredential), or null: what Core's write options take as Connection.</summary>
    protected PostgresSettings? Connection => ConnectionString is null ? null : ExplicitSettings();

    private PostgresSettings ExplicitSettings()
    {
        var credential = DatabaseCredential?.GetNetworkCredential();
        return PostgresSettings.FromConnectionString(ConnectionString!, credential?.UserName is { Length: > 0 } user ? user : null, credential?.Password);
    }

}
