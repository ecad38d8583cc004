using System.Management.Automation;
using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// How a plan's errors and warnings reach the admin, for the import and for the user and class cmdlets alike: each
/// error a non-terminating error record whose id is the rule's stable id and whose target is the ImportError; past
/// the first few of a rule, one warning counts the rest (they stay in the plan's Errors).
/// </summary>
internal static class ImportMessages
{
    private const string LeftOutWhere = "every error is in the plan's Errors, and -RejectedRowsPath writes every skipped row with its errors.";

    public static void WriteImportErrors(this Cmdlet cmdlet, IEnumerable<ImportError> errors, string? leftOutWhere)
    {
        var sample = ImportErrorSample.Of(errors);
        foreach (var error in sample.Shown)
        {
            cmdlet.WriteError(new ErrorRecord(new InvalidDataException(error.ToString()), error.ErrorId, ErrorCategory.InvalidData, error));
        }

        WriteLeftOut(cmdlet, sample, leftOutWhere);
    }

    public static void WriteSkippedRows(this Cmdlet cmdlet, IEnumerable<ImportError> errors, string? leftOutWhere)
    {
        var sample = ImportErrorSample.Of(errors);
        foreach (var error in sample.Shown)
        {
            cmdlet.WriteWarning($"Skipped: {error}");
        }

        WriteLeftOut(cmdlet, sample, leftOutWhere);
    }

    public static void WriteImportWarnings(Cmdlet cmdlet, ImportPlan plan, string? except = null)
    {
        foreach (var warning in plan.Warnings.Where(w => w.WarningId != except))
        {
            cmdlet.WriteWarning(warning.Row is { } row ? $"Row {row}: {warning.Message}" : warning.Message);
        }
    }

    private static void WriteLeftOut(Cmdlet cmdlet, ImportErrorSample sample, string? leftOutWhere)
    {
        foreach (var (errorId, count) in sample.LeftOut)
        {
            cmdlet.WriteWarning($"{count} more {errorId} error(s) not shown: {leftOutWhere ?? LeftOutWhere}");
        }
    }

    /// <summary>
    /// The warning when a backup was asked for and none could be made (PostgreSQL without a usable pg_dump): what is
    /// kept instead, how to undo, and how to get a pg_dump backup next time.
    /// </summary>
    public static void WriteNoBackup(Cmdlet cmdlet, string reason, string what, string? journalPath)
    {
        var kept = journalPath is null
            ? "Nothing else of the state before is kept"
            : $"The journal '{journalPath}' is kept: Undo-FacilityImport -JournalPath '{journalPath}' undoes the {what}";
        cmdlet.WriteWarning($"No backup of the database was taken before the {what}: {reason}. {kept}. " +
            $"For a pg_dump backup too, install PostgreSQL's client programs for the server's version or set $env:{Core.Storage.Postgres.PostgresClientTools.FolderVariable} to their folder.");
    }

    /// <summary>After an applied import or edit: the backup's path as verbose text, or the warning when none could be made.</summary>
    public static void WriteBackupOutcome(Cmdlet cmdlet, ImportResult result, string what)
    {
        if (result.BackupPath is not null)
        {
            cmdlet.WriteVerbose(BackupLine(result.BackupPath, null, what));
        }
        else if (result.NoBackupReason is { } reason)
        {
            WriteNoBackup(cmdlet, reason, what, result.JournalPath);
        }
    }

    /// <summary>The last line of an import's or undo's outcome: where its backup is, or why there is none.</summary>
    public static string BackupLine(string? backupPath, string? noBackupReason, string what) =>
        backupPath is not null ? $"Backup of the database before the {what}: {backupPath}"
        : noBackupReason is not null ? $"No backup of the database was made ({noBackupReason}): see the warning above."
        : "No backup was made (-NoBackup).";
}
