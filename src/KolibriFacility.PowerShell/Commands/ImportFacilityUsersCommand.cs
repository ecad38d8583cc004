using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Storage.Postgres;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Imports a users CSV into a facility as Kolibri's Facility > Data > Import users does: creates and updates users,
/// sets enrolments and coach assignments, creates classes, and deletes what the CSV does not reference. Unlike
/// Kolibri's importer it finds every error before writing, previews every change with -WhatIf, asks before each
/// deletion, backs the database up, and writes everything in one transaction.
/// </summary>
[Alias("Import-FacilityUser")]
[Cmdlet(VerbsData.Import, "FacilityUsers", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, DefaultParameterSetName = PlanSet, HelpUri = HelpLinks.ImportFacilityUsers)]
[OutputType(typeof(ImportResult))]
// The Plan set is the default only so that the binder offers pipeline input to -Plan first: a plan (or its JSON) binds
// there, and whatever the transformation leaves alone (a path string, a file) falls through to -Path / -LiteralPath.
public sealed class ImportFacilityUsersCommand : ImportCmdlet, IDynamicParameters
{
    private const string PlanSet = "Plan";
    private const int ProgressId = 0x4B49;
    private const string Caption = "Import-FacilityUsers";

    /// <summary>A plan from Get-FacilityImportPlan (also after Export-Clixml / Import-Clixml, or as JSON text or a JSON file): applies exactly what was reviewed, or refuses if the CSV or the facility changed since.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PlanSet, ValueFromPipeline = true)]
    [ImportPlanTransformation]
    public ImportPlan? Plan { get; set; }

    /// <summary>Skip the backup of the database to KOLIBRI_HOME/backups before the first write (SQLite's online copy, or pg_dump on PostgreSQL).</summary>
    [Parameter]
    public SwitchParameter NoBackup { get; set; }

    /// <summary>Write the invalid rows, with the errors of each beside it, to this CSV (fix it and import it again).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RejectedRowsPath { get; set; }

    /// <summary>-TimeoutSec and -PassThru.</summary>
    public WriteParameters Writing { get; } = new();

    public object GetDynamicParameters() => Writing;

    protected override void Process()
    {
        try
        {
            var (plan, document) = Plan is null ? PlanFromCsv() : Reload(Plan);
            ErrorContext = plan.CsvPath;
            WriteImportWarnings(plan);
            if (IsWhatIf)
            {
                Preview(plan);
                return;
            }

            StopOnErrors(plan, document);
            StopOnRefusal(plan);
            if (plan.IsEmpty)
            {
                WriteVerbose($"Nothing to import: facility '{plan.FacilityName}' already matches the CSV.");
                if (Writing.PassThru)
                {
                    WriteObject(new ImportResult { Summary = plan.Summary, Plan = plan, Duration = TimeSpan.Zero });
                }

                return;
            }

            var excluded = PlanConfirmation.Confirm(this, plan, $"Import '{plan.CsvPath}' into facility '{plan.FacilityName}'", Caption);
            if (excluded is null)
            {
                return;
            }

            var databasePath = OpenedDatabase.Path;
            CloseDatabase();
            var result = Apply(plan, document, databasePath, excluded);
            ImportMessages.WriteBackupOutcome(this, result, "import");

            WriteVerbose($"Imported in {result.Duration.TotalSeconds:0.00} s:{Environment.NewLine}{result.Summary}");
            if (Writing.PassThru)
            {
                WriteObject(result);
            }
            else
            {
                ShowOutcome(result);
            }
        }
        finally
        {
            CloseDatabase();
        }
    }

    private (ImportPlan Plan, UsersCsvDocument Document) PlanFromCsv()
    {
        var document = ReadCsv(ResolveCsvPath(), IgnoreUnknownColumns);
        return (PlanImport(document, Options), document);
    }

    /// <summary>A saved plan applies only to its own database, facility and unchanged CSV, and only while the facility is as it was.</summary>
    private (ImportPlan Plan, UsersCsvDocument Document) Reload(ImportPlan saved)
    {
        if (!MyInvocation.BoundParameters.ContainsKey(nameof(Database)) && ConnectionString is null)
        {
            if (PostgresSettings.IsDescription(saved.DatabasePath))
            {
                throw Terminate(new InvalidOperationException($"The plan was made for the PostgreSQL database '{saved.DatabasePath}' named by -ConnectionString. Plans never hold its password: pass -ConnectionString (and -DatabaseCredential) again with -Plan."),
                    ErrorIds.ImportPlanMismatch, ErrorCategory.InvalidArgument, saved);
            }

            Database = saved.DatabasePath;
        }
        else if (!string.Equals(Where(DatabaseFile), Where(saved.DatabasePath), StringComparison.Ordinal))
        {
            var again = ConnectionString is null ? $"-Database '{DatabaseFile}'" : "and this -ConnectionString";
            throw Terminate(new InvalidOperationException($"The plan was made for the database '{saved.DatabasePath}', not '{DatabaseFile}'. Make a new plan with Get-FacilityImportPlan {again}."),
                ErrorIds.ImportPlanMismatch, ErrorCategory.InvalidArgument, saved);
        }

        Facility ??= saved.FacilityId;
        if (CurrentFacility.Id != saved.FacilityId)
        {
            throw Terminate(new InvalidOperationException($"The plan was made for facility '{saved.FacilityName}' ({saved.FacilityId}), not '{CurrentFacility.Name}' ({CurrentFacility.Id})."),
                ErrorIds.ImportPlanMismatch, ErrorCategory.InvalidArgument, saved);
        }

        if (saved.CsvPath is null || !File.Exists(saved.CsvPath))
        {
            throw Terminate(new FileNotFoundException($"The plan's users CSV '{saved.CsvPath}' is gone. Applying a plan reads the CSV again (plans never hold passwords); restore the file or make a new plan."),
                ErrorIds.FileNotFound, ErrorCategory.ObjectNotFound, saved.CsvPath);
        }

        var document = ReadCsv(saved.CsvPath!, saved.Options.IgnoreUnknownColumns);
        if (!string.Equals(document.Sha256, saved.CsvSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw Terminate(new InvalidOperationException($"The users CSV '{saved.CsvPath}' changed since the plan was made (SHA-256 was {saved.CsvSha256}, is {document.Sha256}). Nothing was imported; make a new plan with Get-FacilityImportPlan."),
                ErrorIds.ImportPlanStale, ErrorCategory.InvalidData, saved);
        }

        // The applier checks this again inside its transaction; checking here as well refuses a stale plan before the
        // admin is asked to confirm it and before minutes of password hashing.
        var conflict = saved.FindConflict(PlanImport(document, saved.Options));
        if (conflict is not null)
        {
            throw Terminate(new InvalidOperationException($"Facility '{saved.FacilityName}' changed since the plan was made at {saved.CreatedAt:u}, so the plan no longer shows what an import would do. Nothing was imported; make a new plan. What changed: {conflict}"),
                ErrorIds.ImportPlanStale, ErrorCategory.InvalidData, saved);
        }

        return (saved, document);
    }

    /// <summary>A database as a plan records it: a full file or folder path, or a PostgreSQL connection's postgres://user@host:port/name.</summary>
    private static string Where(string database) =>
        PostgresSettings.IsDescription(database) ? database : System.IO.Path.GetFullPath(database);

    /// <summary>-WhatIf: one "What if:" line per change, then the summary Kolibri shows before CONTINUE, and the errors.</summary>
    private void Preview(ImportPlan plan)
    {
        foreach (var change in plan.Changes)
        {
            ShouldProcess(change.Description, null, null);
        }

        ShouldProcess($"Import '{plan.CsvPath}' into facility '{plan.FacilityName}' ({plan.Changes.Count} changes):{Environment.NewLine}{plan.Summary}", null, null);
        if (plan.HasErrors && plan.Options.SkipInvalidRows && !plan.HasFileErrors)
        {
            // What the real run will do: skip these rows with a warning each, not fail on them.
            WriteSkippedRows(plan.Errors);
        }
        else if (plan.HasErrors)
        {
            WriteImportErrors(plan.Errors);
            if (!plan.Options.SkipInvalidRows)
            {
                WriteWarning($"The CSV has {plan.Errors.Count} errors, so the import would write nothing. {ImportAdvice.FixOrSkipRows}");
            }
        }

        if (plan.IsRefused && plan.RefusalReason is { } reason && !(plan.HasErrors && !plan.Options.SkipInvalidRows))
        {
            WriteWarning(reason + " " + ImportAdvice.For(plan.Refusal));
        }
    }

    private void StopOnErrors(ImportPlan plan, UsersCsvDocument document)
    {
        if (!plan.HasErrors)
        {
            return;
        }

        WriteRejectedRows(plan, document);
        if (plan.Options.SkipInvalidRows && !document.HasFileErrors)
        {
            WriteSkippedRows(plan.Errors);
            return;
        }

        WriteImportErrors(plan.Errors);
        throw Terminate(new InvalidDataException($"Nothing was imported: the CSV '{plan.CsvPath}' has {plan.Errors.Count} errors (written above; also in the plan's Errors)."),
            ErrorIds.ImportHasErrors, ErrorCategory.InvalidData, plan.CsvPath, document.HasFileErrors ? ImportAdvice.FixFile : ImportAdvice.FixOrSkipRows);
    }

    private static void StopOnRefusal(ImportPlan plan)
    {
        if (plan.IsRefused)
        {
            throw new ImportRefusedException(plan.Refusal, plan.RefusalReason!);
        }
    }

    private ImportResult Apply(ImportPlan plan, UsersCsvDocument document, string databasePath, HashSet<int> excluded)
    {
        var work = new BackgroundWork<ImportProgress>();
        var progress = new ApplyProgress(this, ProgressId, $"Importing {System.IO.Path.GetFileName(plan.CsvPath)} into facility '{plan.FacilityName}'");
        var options = new ImportApplyOptions
        {
            DatabasePath = databasePath,
            Connection = Connection,
            Backup = !NoBackup,
            BusyTimeout = Writing.BusyTimeout,
            ExcludedChanges = excluded,
            Progress = work.Progress,
        };
        try
        {
            return work.Run(
                () => ImportApplier.Apply(plan, document, options, Cancellation),
                progress.Show);
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>
    /// What was applied, what was left out and where the backup is, shown to the admin (information stream, tagged
    /// PSHOST) without -PassThru; -InformationAction Ignore silences it, -InformationVariable keeps it.
    /// </summary>
    private void ShowOutcome(ImportResult result)
    {
        var text = new System.Text.StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture,
                $"Imported '{result.Plan.CsvPath}' into facility '{result.Plan.FacilityName}' in {result.Duration.TotalSeconds:0.0} s: {result.ChangesApplied} changes applied")
            .Append(result.ChangesSkipped > 0 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $", {result.ChangesSkipped} declined and left as they were.") : ".")
            .AppendLine()
            .AppendLine(result.Summary.ToString())
            .Append(ImportMessages.BackupLine(result.BackupPath, result.NoBackupReason, "import"));
        WriteInformation(new HostInformationMessage { Message = text.ToString() }, ["PSHOST"]);
    }

    private void WriteRejectedRows(ImportPlan plan, UsersCsvDocument document)
    {
        if (RejectedRowsPath is null || plan.SkippedRows().Count == 0)
        {
            return;
        }

        // Part of the import the admin confirmed (or of its refusal): no question of its own.
        var file = OutputFile.Prepare(this, new OutputFileTarget(RejectedRowsPath, null, NoClobber: false, Force: false, PermissionsOf: DatabaseFile), () => "rejected-rows.csv", action: null);
        if (file is not null && file.TryWrite(new ProgressReporter(this, ProgressId, $"Writing the rejected rows to {System.IO.Path.GetFileName(file.Path)}"), stream => RejectedRowsCsvWriter.Write(stream, document, plan), out var rows))
        {
            WriteVerbose($"Wrote {rows} rejected rows with their errors to {file.Path}");
        }
    }
}
