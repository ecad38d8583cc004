using System.Management.Automation;
using KolibriFacility.Core.Backups;
using KolibriFacility.PowerShell.Completion;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Lists the backups and import journals of a Kolibri database's backup folder, newest first: facility, time, the
/// import each belongs to (its journal, which Undo-FacilityImport takes) and size.
/// </summary>
[Cmdlet(VerbsCommon.Get, "FacilityBackup", HelpUri = HelpLinks.GetFacilityBackup)]
[OutputType(typeof(FacilityBackup))]
public sealed class GetFacilityBackupCommand : DatabaseCmdlet
{
    /// <summary>Only the backups of these facilities (names or ids; wildcards allowed).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("FacilityName")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(FacilityNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Facility { get; set; }

    /// <summary>The folder to list. Default: the backups folder beside the database (KOLIBRI_HOME/backups), where imports put them; with -ConnectionString, this session's KOLIBRI_HOME/backups.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BackupFolder { get; set; }

    protected override void Process()
    {
        var database = DatabaseFile;
        var folder = BackupFolder is null ? BackupCatalog.DefaultFolder(database, Connection) : SessionState.Path.GetUnresolvedProviderPathFromPSPath(BackupFolder);
        var filter = new NameFilter(Facility);
        foreach (var backup in BackupCatalog.List(folder, database))
        {
            if (Facility is null || filter.IsMatch(backup.Facility, backup.FacilityId ?? ""))
            {
                WriteObject(backup);
            }
        }
    }
}
