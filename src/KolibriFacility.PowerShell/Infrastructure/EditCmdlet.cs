using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Security;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of the user and class cmdlets (New-/Set-/Remove-FacilityUser, ...-FacilityClass, Add-/Remove-FacilityClassMember):
/// each piped object adds an edit in ProcessRecord; EndProcessing makes ONE plan per facility with the import's planner
/// (same rules, same error ids), previews it with -WhatIf, confirms like the import (once for the additions and updates,
/// once per deletion or removal) and applies it in ONE transaction with the import's applier: busy wait, conflict check,
/// passwords hashed before the lock, at most one backup, Ctrl+C rolls everything back.
/// </summary>
public abstract class EditCmdlet : FacilityCmdlet
{
    private const int ProgressId = 0x4B4A;
    private readonly List<Batch> batches = [];

    /// <summary>Seconds to wait for Kolibri to release the database before giving up (-BusyTimeoutSeconds is an alias, as on the import).</summary>
    [Parameter]
    [Alias("BusyTimeoutSeconds")]
    [ValidateRange(1, 3600)]
    public int TimeoutSec { get; set; } = 30;

    /// <summary>Whether to take an online backup before the first write (once per command, whatever the pipeline holds).</summary>
    protected abstract bool TakeBackup { get; }

    /// <summary>The import options the plan is made with (-Force of the Remove- cmdlets).</summary>
    protected virtual ImportOptions Options => new();

    /// <summary>What the confirmation calls the command, e.g. "Set-FacilityUser".</summary>
    private string Caption => MyInvocation.MyCommand.Name;

    /// <summary>The edits of the facility the current pipeline object belongs to (objects of several facilities make one plan each).</summary>
    protected FacilityEdits CurrentEdits
    {
        get
        {
            var path = OpenedDatabase.Path;
            var facility = CurrentFacility;
            var batch = batches.Find(b => b.DatabasePath == path && b.Facility.Id == facility.Id);
            if (batch is null)
            {
                batch = new Batch(path, facility, new FacilityEdits());
                batches.Add(batch);
            }

            return batch.Edits;
        }
    }

    /// <summary>The clear text of a SecureString, for the edit (hashed before the write lock, never shown or saved).</summary>
    protected static string? Plain(SecureString? secure) => secure is null ? null : new NetworkCredential(string.Empty, secure).Password;

    /// <summary>-PassThru: the objects the applied edits made or changed, read back from the database.</summary>
    protected virtual void WriteResults(KolibriDatabase database, Facility facility, FacilityEdits edits)
    {
    }

    protected override void Complete()
    {
        try
        {
            foreach (var batch in batches.Where(b => !b.Edits.IsEmpty))
            {
                Cancellation.ThrowIfCancellationRequested();
                Run(batch);
            }
        }
        finally
        {
            CloseDatabase();
        }
    }

    private void Run(Batch batch)
    {
        ImportPlan plan;
        using (var database = OpenRead(batch.DatabasePath))
        {
            plan = new ImportPlanner(database).Plan(batch.Facility, batch.Edits, Options);
        }

        WriteVerbose($"Planned {plan.Changes.Count} changes for facility '{plan.FacilityName}' with {plan.Errors.Count} errors and {plan.Warnings.Count} warnings");
        // An edit with an error stops the whole plan: "the user of an invalid row is left unchanged" says nothing more here.
        ImportMessages.WriteImportWarnings(this, plan, except: ImportWarningIds.InvalidRowUserProtected);
        if (IsWhatIf)
        {
            Preview(plan);
            return;
        }

        if (plan.HasErrors)
        {
            ImportMessages.WriteImportErrors(this, plan.Errors, "the first ones of each rule are shown above.");
            throw Terminate(new InvalidDataException($"Nothing was changed in facility '{plan.FacilityName}': {plan.Errors.Count} error(s) (written above; rows are counted in pipeline order)."),
                ErrorIds.ImportHasErrors, ErrorCategory.InvalidData, plan.FacilityName, "Correct the values named in the errors and run the command again.");
        }

        if (plan.IsRefused)
        {
            ThrowTerminatingError(CoreErrorTranslator.Refused(new ImportRefusedException(plan.Refusal, plan.RefusalReason!), plan.FacilityName,
                ImportAdvice.ForEdits(plan.Refusal), "Nothing was changed: "));
        }

        if (plan.IsEmpty)
        {
            WriteVerbose($"Nothing to change: facility '{plan.FacilityName}' already is as asked.");
            WritePassThru(batch);
            return;
        }

        if (PlanConfirmation.Confirm(this, plan, $"Change facility '{plan.FacilityName}'", Caption) is not { } excluded)
        {
            return;
        }

        var result = Apply(plan, batch, excluded);
        WriteVerbose(string.Create(CultureInfo.InvariantCulture, $"Applied {result.ChangesApplied} change(s) in {result.Duration.TotalSeconds:0.00} s:{Environment.NewLine}{result.Summary}"));
        ImportMessages.WriteBackupOutcome(this, result, "changes");

        WritePassThru(batch);
    }

    private void WritePassThru(Batch batch)
    {
        using var database = OpenRead(batch.DatabasePath);
        WriteResults(database, batch.Facility, batch.Edits);
    }

    /// <summary>-WhatIf: one "What if:" line per change, as the import shows them, then the errors and why it would be refused.</summary>
    private void Preview(ImportPlan plan)
    {
        foreach (var change in plan.Changes)
        {
            ShouldProcess(change.Description, null, null);
        }

        if (plan.HasErrors)
        {
            ImportMessages.WriteImportErrors(this, plan.Errors, "the first ones of each rule are shown above.");
            WriteWarning($"There are {plan.Errors.Count} error(s), so nothing would be changed.");
        }
        else if (plan.RefusalReason is { } reason)
        {
            WriteWarning(reason + " " + ImportAdvice.ForEdits(plan.Refusal));
        }
        else if (plan.IsEmpty)
        {
            WriteVerbose($"Nothing to change: facility '{plan.FacilityName}' already is as asked.");
        }
    }

    private ImportResult Apply(ImportPlan plan, Batch batch, HashSet<int> excluded)
    {
        CloseDatabase();
        var work = new BackgroundWork<ImportProgress>();
        var progress = new ApplyProgress(this, ProgressId, $"{Caption}: facility '{plan.FacilityName}'");
        var options = new ImportApplyOptions
        {
            DatabasePath = batch.DatabasePath,
            Connection = Connection,
            Backup = TakeBackup,
            BusyTimeout = TimeSpan.FromSeconds(TimeoutSec),
            ExcludedChanges = excluded,
            Progress = work.Progress,
        };
        try
        {
            return work.Run(
                () => ImportApplier.Apply(plan, batch.Edits, options, Cancellation),
                progress.Show);
        }
        finally
        {
            progress.Complete();
        }
    }

    private sealed record Batch(string DatabasePath, Facility Facility, FacilityEdits Edits);
}
