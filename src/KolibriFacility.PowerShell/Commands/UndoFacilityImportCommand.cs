using System.Globalization;
using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Storage.Postgres;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Undoes an applied import (or edit) from its journal: puts back what each change replaced, only where the rows are
/// still as the import left them; everything changed since is reported and left alone. One transaction, with a backup.
/// </summary>
[Cmdlet(VerbsCommon.Undo, "FacilityImport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = JournalSet, HelpUri = HelpLinks.UndoFacilityImport)]
[OutputType(typeof(UndoResult))]
public sealed class UndoFacilityImportCommand : FacilityCmdlet, IDynamicParameters
{
    private const string JournalSet = "Journal";
    private const string LastSet = "Last";
    private const int ProgressId = 0x4B4A;
    private const string Caption = "Undo-FacilityImport";

    /// <summary>The import's journal: its path, or any object with a JournalPath property (the result of Import-FacilityUsers -PassThru, an entry of Get-FacilityBackup).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = JournalSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string? JournalPath { get; set; }

    /// <summary>Undo the facility's newest import that is not undone yet (its journal in the backup folder).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LastSet)]
    public SwitchParameter Last { get; set; }

    /// <summary>Skip the backup of the database before the undo writes (by default it goes beside the journal; pg_dump on PostgreSQL).</summary>
    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    /// <summary>-TimeoutSec and -PassThru.</summary>
    public WriteParameters Writing { get; } = new();

    public object GetDynamicParameters() => Writing;

    protected override void Process()
    {
        try
        {
            var journal = Last ? LastJournal() : ReadJournal();
            ErrorContext = journal.Path;
            if (journal.UndoneAt is { } undone)
            {
                throw new UndoException(UndoProblem.AlreadyUndone, $"The import of {journal.ImportedAt.ToString("u", CultureInfo.InvariantCulture)} into '{journal.FacilityName}' was undone already, at {undone.ToString("u", CultureInfo.InvariantCulture)} (journal '{journal.Path}').");
            }

            var databasePath = DatabaseFor(journal);
            CloseDatabase();
            UndoPlan plan;
            using (var database = OpenRead(databasePath))
            {
                plan = UndoApplier.Plan(journal, database);
            }
            WriteVerbose($"Undo of '{journal.Path}': {plan.Changes.Count} change(s) to undo, {plan.Refused.Count} left as they are");
            var what = $"Undo the import of {journal.ImportedAt.ToString("u", CultureInfo.InvariantCulture)} into facility '{journal.FacilityName}' ({plan.Changes.Count} changes):{Environment.NewLine}{plan.Summary}";
            if (IsWhatIf)
            {
                foreach (var change in plan.Changes)
                {
                    ShouldProcess(change.Description, null, null);
                }

                ShouldProcess(what, null, null);
                WriteRefusals(plan.Refused);
                return;
            }

            if (plan.IsEmpty)
            {
                WriteRefusals(plan.Refused);
                WriteWarning($"Nothing of the import of {journal.ImportedAt.ToString("u", CultureInfo.InvariantCulture)} can be undone: every change it made was changed since or is gone.");
                return;
            }

            if (!ShouldProcess(what, $"{what}{Environment.NewLine}Undo it?", Caption))
            {
                return;
            }

            var result = Apply(journal, databasePath);
            WriteRefusals(result.Refused);
            if (result.NoBackupReason is { } reason)
            {
                ImportMessages.WriteNoBackup(this, reason, "undo", null);
            }

            if (Writing.PassThru)
            {
                WriteObject(result);
            }
            else
            {
                var text = string.Create(CultureInfo.InvariantCulture,
                    $"Undid {result.ChangesUndone} change(s) of the import of {journal.ImportedAt:u} into facility '{journal.FacilityName}' in {result.Duration.TotalSeconds:0.0} s")
                    + (result.Refused.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $"; {result.Refused.Count} left as they are (warnings above).") : ".")
                    + Environment.NewLine + result.Summary
                    + Environment.NewLine + ImportMessages.BackupLine(result.BackupPath, result.NoBackupReason, "undo");
                WriteInformation(new HostInformationMessage { Message = text }, ["PSHOST"]);
            }
        }
        finally
        {
            CloseDatabase();
        }
    }

    private ImportJournal ReadJournal()
    {
        var path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath!);
        try
        {
            return ImportJournal.Read(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw Terminate(new FileNotFoundException($"No import journal at '{path}'.", path, ex), ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path);
        }
        catch (Exception ex) when (ex is InvalidDataException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw Terminate(new InvalidDataException(ex.Message, ex), ErrorIds.ImportJournalInvalid, ErrorCategory.InvalidData, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Terminate(ex, ErrorIds.FileReadFailed, ErrorCategory.ReadError, path);
        }
    }

    private ImportJournal LastJournal()
    {
        var folder = System.IO.Path.Combine(OpenedDatabase.Home, "backups");
        return ImportJournal.Last(folder, CurrentFacility.Id)
            ?? throw Terminate(new ItemNotFoundException($"Facility '{CurrentFacility.Name}' has no import to undo: '{folder}' holds no journal of an import that is not undone yet."),
                ErrorIds.NoImportToUndo, ErrorCategory.ObjectNotFound, CurrentFacility.Name, "Pass the journal of the import with -JournalPath (Get-FacilityBackup lists them).");
    }

    /// <summary>-Database or -ConnectionString when given, else the database the journal records (else the default one).</summary>
    private string DatabaseFor(ImportJournal journal)
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(Database)) || ConnectionString is not null)
        {
            return DatabaseFile;
        }

        if (PostgresSettings.IsDescription(journal.DatabasePath))
        {
            throw new UndoException(UndoProblem.WrongDatabase,
                $"The journal '{journal.Path}' records an import into the PostgreSQL database '{journal.DatabasePath}' named by -ConnectionString. Journals never hold its password: pass -ConnectionString (and -DatabaseCredential) again.");
        }

        return System.IO.Path.Exists(journal.DatabasePath) ? journal.DatabasePath : DatabaseFile;
    }

    private UndoResult Apply(ImportJournal journal, string databasePath)
    {
        var work = new BackgroundWork<ImportProgress>();
        var progress = new ApplyProgress(this, ProgressId, $"Undoing the import of {journal.ImportedAt.ToString("u", CultureInfo.InvariantCulture)} into facility '{journal.FacilityName}'");
        var options = new UndoApplyOptions
        {
            DatabasePath = databasePath,
            Connection = Connection,
            Backup = !NoBackup,
            BusyTimeout = Writing.BusyTimeout,
            Progress = work.Progress,
        };
        try
        {
            return work.Run(() => UndoApplier.Apply(journal, options, Cancellation), progress.Show);
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>Each change left alone, as a warning naming the change, the user or class and the reason (all of them are in the result's Refused).</summary>
    private void WriteRefusals(IEnumerable<UndoRefusal> refused)
    {
        foreach (var refusal in refused)
        {
            WriteWarning($"[{refusal.RefusalId}] {refusal}");
        }
    }
}
