using System.Management.Automation;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Replaces a Kolibri database with one of its backups, whole, after a safety copy of the current state; checks the
/// backup and the result (SQLite's integrity check; on PostgreSQL pg_restore's reading of the archive and Kolibri's
/// schema); refuses while a Kolibri server runs on the database.
/// </summary>
[Cmdlet(VerbsData.Restore, "FacilityDatabase", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = HelpLinks.RestoreFacilityDatabase)]
[OutputType(typeof(RestoreResult))]
public sealed class RestoreFacilityDatabaseCommand : DatabaseCmdlet, IDynamicParameters
{
    /// <summary>The backup file to restore, or an entry of Get-FacilityBackup (its Path and Database bind by property name).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("BackupPath", "FullName")]
    [AllowNull]
    [AllowEmptyString]
    public string? Path { get; set; }

    /// <summary>Restore although a Kolibri server runs on the database (stop it first if you can; restart it afterwards).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>-TimeoutSec and -PassThru.</summary>
    public WriteParameters Writing { get; } = new();

    public object GetDynamicParameters() => Writing;

    protected override void Process()
    {
        if (string.IsNullOrEmpty(Path))
        {
            throw Terminate(new ArgumentException("This entry has no backup file to restore (an import made with -NoBackup, or on PostgreSQL without pg_dump, keeps only its journal: undo it with Undo-FacilityImport)."),
                ErrorIds.NoBackupFile, ErrorCategory.InvalidArgument, Path);
        }

        var backup = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!File.Exists(backup))
        {
            throw Terminate(new FileNotFoundException($"No backup at '{backup}'.", backup), ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, backup);
        }

        var database = DatabaseFile;
        ErrorContext = backup;
        if (!ShouldProcess(database, $"Replace the database with the backup '{backup}' (a safety copy of the current state is taken first)"))
        {
            return;
        }

        var result = DatabaseRestorer.Restore(backup, new RestoreOptions { DatabasePath = database, Connection = Connection, Force = Force, BusyTimeout = Writing.BusyTimeout }, Cancellation);
        WriteVerbose($"Restored '{result.DatabasePath}' from '{result.RestoredFrom}' in {result.Duration.TotalSeconds:0.0} s; the state before is in '{result.SafetyCopyPath}'.");
        if (Writing.PassThru)
        {
            WriteObject(result);
        }
        else
        {
            WriteInformation(new HostInformationMessage { Message = $"Restored '{result.DatabasePath}' from '{result.RestoredFrom}'. The state before is in '{result.SafetyCopyPath}'." }, ["PSHOST"]);
        }
    }
}
