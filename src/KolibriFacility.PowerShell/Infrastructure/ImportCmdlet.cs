using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// What Get-FacilityImportPlan and Import-FacilityUsers share: the users CSV (-Path / -LiteralPath), the import
/// options, and reading the CSV and planning the import with Core's one planner.
/// </summary>
public abstract class ImportCmdlet : FacilityCmdlet
{
    protected const string PathSet = "Path";
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>The users CSV to import (wildcards allowed; must match exactly one file). Takes a path string from the pipeline.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>The users CSV, taken literally (no wildcards). Takes FileInfo objects from the pipeline.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP", "FullName")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Never delete users or remove enrolments, coach assignments and roles that the CSV does not mention.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter NoDelete { get; set; }

    /// <summary>Import the valid rows and leave the users of invalid rows exactly as they are (never changed, never deleted).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter SkipInvalidRows { get; set; }

    /// <summary>Delete classes the CSV does not mention (as Kolibri's UI delete does) instead of clearing them as Kolibri's importer does.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter RemoveUnreferencedClasses { get; set; }

    /// <summary>Ignore columns that are not Kolibri's instead of stopping with an UnknownColumn error.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter IgnoreUnknownColumns { get; set; }

    /// <summary>Allow more deletions than the safety threshold, and deleting classes that still have lessons or quizzes.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>State that the CSV is complete although it looks cut short (header only, last line without its line break, only the users after its last row deleted, more than half of the users left out). -Force does not imply it.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter FileIsComplete { get; set; }

    /// <summary>The most user deletions allowed (instead of the default threshold: more than 10 and more than 20% of the non-admin users).</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [ValidateRange(0, int.MaxValue)]
    public int? MaxDeletions { get; set; }

    protected ImportOptions Options => new()
    {
        NoDelete = NoDelete,
        SkipInvalidRows = SkipInvalidRows,
        RemoveUnreferencedClasses = RemoveUnreferencedClasses,
        IgnoreUnknownColumns = IgnoreUnknownColumns,
        Force = Force,
        MaxDeletions = MaxDeletions,
        FileIsComplete = FileIsComplete,
    };

    /// <summary>The file system path of the CSV given by -Path or -LiteralPath.</summary>
    protected string ResolveCsvPath()
    {
        var given = LiteralPath ?? Path!;
        try
        {
            return InputPathResolver.Resolve(this, given, literal: LiteralPath is not null);
        }
        catch (ItemNotFoundException ex)
        {
            throw Terminate(ex, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, given);
        }
        catch (Exception ex) when (ex is ArgumentException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            throw Terminate(ex, ErrorIds.InvalidPath, ErrorCategory.InvalidArgument, given);
        }
    }

    protected UsersCsvDocument ReadCsv(string path, bool ignoreUnknownColumns)
    {
        try
        {
            var document = UsersCsvReader.Read(path, new UsersCsvReadOptions { IgnoreUnknownColumns = ignoreUnknownColumns });
            WriteVerbose($"Read {document.Rows.Count + document.Rejected.Count} rows from {path} ({document.Rejected.Count} invalid, SHA-256 {document.Sha256})");
            if (document.Rows.Count == 0 && document.Rejected.Count == 0 && document.Errors.Count == 0)
            {
                WriteWarning($"The users CSV '{path}' has a header but no data rows: importing it adds nothing and, without -NoDelete, would delete every user it may.");
            }
            return document;
        }
        catch (FileNotFoundException ex)
        {
            throw Terminate(ex, ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Terminate(ex, ErrorIds.FileReadFailed, ErrorCategory.ReadError, path);
        }
    }

    protected ImportPlan PlanImport(UsersCsvDocument document, ImportOptions options)
    {
        var plan = new ImportPlanner(OpenedDatabase).Plan(CurrentFacility, document, options);
        WriteVerbose($"Planned {plan.Changes.Count} changes for facility '{plan.FacilityName}' with {plan.Errors.Count} errors and {plan.Warnings.Count} warnings");
        return plan;
    }

    /// <summary>Each error as a non-terminating error record with the rule's stable id (see <see cref="ImportMessages"/>).</summary>
    protected void WriteImportErrors(IEnumerable<ImportError> errors) => ImportMessages.WriteImportErrors(this, errors, null);

    /// <summary>Rows that -SkipInvalidRows leaves out, as warnings: the first few of each rule, then a count.</summary>
    protected void WriteSkippedRows(IEnumerable<ImportError> errors) => ImportMessages.WriteSkippedRows(this, errors, null);

    protected void WriteImportWarnings(ImportPlan plan) => ImportMessages.WriteImportWarnings(this, plan);
}
