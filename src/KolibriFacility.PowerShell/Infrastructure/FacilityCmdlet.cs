using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Completion;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// A cmdlet that works on one facility: -Facility (name or id; default: the device's default facility), with the
/// database opened once per command and facilities looked up once per name.
/// </summary>
public abstract class FacilityCmdlet : DatabaseCmdlet
{
    private readonly Dictionary<(string Database, string Facility), Facility> resolved = new();
    private KolibriDatabase? openedDatabase;
    private string? openedDatabaseFile;

    /// <summary>
    /// Facility name or id. Default: the device's default facility. Binds by property name: Facility (users, classes)
    /// or FacilityId (facilities from Get-Facility carry it as an alias of Id).
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("FacilityName", "FacilityId")]
    [ArgumentCompleter(typeof(FacilityNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Facility { get; set; }

    /// <summary>
    /// The database, opened read-only on first use and closed when the command ends; reopened when a piped object
    /// names another database (-Database binds by property name).
    /// </summary>
    protected KolibriDatabase OpenedDatabase
    {
        get
        {
            var path = DatabaseFile;
            if (openedDatabase is not null && !string.Equals(openedDatabaseFile, path, StringComparison.Ordinal))
            {
                CloseDatabase();
            }

            if (openedDatabase is null)
            {
                openedDatabase = OpenRead();
                openedDatabaseFile = path;
            }

            return openedDatabase;
        }
    }

    protected Facility CurrentFacility
    {
        get
        {
            var key = (OpenedDatabase.Path, (Facility ?? "").ToUpperInvariant());
            if (!resolved.TryGetValue(key, out var facility))
            {
                facility = new FacilityDirectory(OpenedDatabase).Resolve(Facility);
                resolved[key] = facility;
                WriteVerbose($"Facility '{facility.Name}' ({facility.Id}) in {OpenedDatabase.Path}");
            }

            return facility;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            openedDatabase?.Dispose();
            openedDatabase = null;
        }

        base.Dispose(disposing);
    }

    protected override void Complete() => CloseDatabase();

    protected void CloseDatabase()
    {
        openedDatabase?.Dispose();
        openedDatabase = null;
    }
}
