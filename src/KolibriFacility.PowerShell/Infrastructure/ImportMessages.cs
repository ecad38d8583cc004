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
}
