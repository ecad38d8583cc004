using System.Management.Automation;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of every KolibriFacility cmdlet that works on an existing database: the -Database parameter.
/// </summary>
public abstract class DatabaseCmdlet : KolibriCmdlet
{
    /// <summary>
    /// Path of Kolibri's db.sqlite3 (or the folder holding it). Default: $env:KOLIBRI_HOME/db.sqlite3, else
    /// ~/.kolibri/db.sqlite3. Binds by property name, so objects of this module piped on keep their database.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("DatabasePath")]
    [ValidateNotNullOrEmpty]
    public string? Database { get; set; }

    /// <summary>The database file this command works on, resolved through PowerShell's current location.</summary>
    protected string DatabaseFile =>
        KolibriDatabaseLocator.Resolve(Database is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Database));

    /// <summary>Opens the database read-only; the caller disposes it.</summary>
    protected KolibriDatabase OpenRead() => KolibriDatabase.OpenRead(DatabaseFile);
}
