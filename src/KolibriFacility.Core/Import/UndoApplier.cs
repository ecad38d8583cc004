using System.Data.Common;
using System.Diagnostics;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>Why an undo cannot run at all; nothing was written.</summary>
public enum UndoProblem
{
    /// <summary>The journal's import was undone already.</summary>
    AlreadyUndone,

    /// <summary>The journal is of another facility than the database has.</summary>
    WrongDatabase,

    /// <summary>Putting rows back would leave a foreign key pointing at a missing row (a class deleted since, ...).</summary>
    BrokenReferences,
}

public sealed class UndoException(UndoProblem problem, string message) : Exception(message)
{
    public UndoProblem Problem { get; } = problem;
}

/// <summary>Where and how an undo is applied (the import's own options: backup, busy wait, progress).</summary>
public sealed class UndoApplyOptions
{
    public required string DatabasePath { get; init; }

    /// <summary>An explicit PostgreSQL connection (-ConnectionString), used instead of the options.ini of <see cref="DatabasePath"/>.</summary>
    public Storage.Postgres.PostgresSettings? Connection { get; init; }

    /// <summary>Take an online backup before the first write (default), into the journal's folder unless BackupFolder says otherwise.</summary>
    public bool Backup { get; init; } = true;

    public string? BackupFolder { get; init; }

    public int BackupsToKeep { get; init; } = ImportApplyOptions.DefaultBackupsToKeep;

    public TimeSpan BusyTimeout { get; init; } = KolibriDatabase.DefaultBusyTimeout;

    public IProgress<ImportProgress>? Progress { get; init; }

    /// <summary>Where pg_dump is looked for on PostgreSQL; default <see cref="Storage.Postgres.PostgresClientTools.Default"/>.</summary>
    public Storage.Postgres.PostgresClientTools? PostgresTools { get; init; }
}

/// <summary>
/// Plans and applies the undo of an import from its journal, as the import is applied: one BEGIN IMMEDIATE
/// transaction that plans again against the locked database (so what is undone is checked against the rows as they
/// are at that moment), backs up, writes with Kolibri's morango bookkeeping and commits; any failure rolls back.
/// </summary>
public static class UndoApplier
{
    public const string UndoingStage = "Undoing";

    /// <summary>The undo plan against the database as it is now (read only).</summary>
    public static UndoPlan Plan(ImportJournal journal, string databasePath)
    {
        using var database = KolibriDatabase.OpenRead(databasePath);
        return Plan(journal, database);
    }

    /// <summary>What undoing the journal's import would do to the open database (read only).</summary>
    public static UndoPlan Plan(ImportJournal journal, KolibriDatabase database)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(database);
        Check(journal, database, null);
        return new UndoPlanner(database, null).Plan(journal);
    }

    public static UndoResult Apply(ImportJournal journal, UndoApplyOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(journal);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();
        if (journal.UndoneAt is { } undone)
        {
            throw new UndoException(UndoProblem.AlreadyUndone, $"The import of {journal.ImportedAt:u} into '{journal.FacilityName}' was undone already, at {undone:u} (journal '{journal.Path}').");
        }

        var backupFolder = options.Backup ? options.BackupFolder ?? Path.GetDirectoryName(journal.Path)! : null;
        ImportPreflight.Check(options.DatabasePath, backupFolder, options.Connection);
        using var database = KolibriDatabase.OpenWrite(options.DatabasePath, options.BusyTimeout, options.Connection);
        using var cancelStatements = database.CancelStatementsOn(cancellation);
        using var transaction = ImportApplier.BeginImmediate(database, options.BusyTimeout, cancellation);
        BackupFile? backup = null;
        string? noBackupReason = null;
        UndoPlan plan;
        try
        {
            Check(journal, database, transaction);
            plan = new UndoPlanner(database, transaction).Plan(journal);
            cancellation.ThrowIfCancellationRequested();
            if (backupFolder is not null && !plan.IsEmpty)
            {
                backup = DatabaseBackup.Create(database, backupFolder, journal.FacilityName + "-undo", DateTimeOffset.UtcNow,
                    ImportApplier.BackupSettingsFor(transaction, options.BusyTimeout, options.PostgresTools, options.Progress, cancellation), out noBackupReason);
            }

            using var writer = new UndoWriter(database, transaction);
            var progress = new ImportApplier.ThrottledProgress(options.Progress, UndoingStage, plan.Steps.Count);
            writer.Write(plan.Steps, done =>
            {
                cancellation.ThrowIfCancellationRequested();
                progress.Report(done);
            });
            if (writer.BrokenReferences() is { Count: > 0 } broken)
            {
                throw new UndoException(UndoProblem.BrokenReferences,
                    "Undoing the import would put rows back that refer to rows gone since (" + string.Join("; ", broken) + "). Nothing was changed.");
            }

            cancellation.ThrowIfCancellationRequested();
            transaction.Commit();
        }
        catch (DbException ex) when (cancellation.IsCancellationRequested)
        {
            ImportApplier.RollBack(transaction, backup);
            throw ImportApplier.Cancelled(ex, cancellation);
        }
        catch (DbException ex) when (ImportApplier.WriteFault(database.Path, options.BusyTimeout, ex) is { } fault)
        {
            ImportApplier.RollBack(transaction, backup);
            throw fault;
        }
        catch
        {
            ImportApplier.RollBack(transaction, backup);
            throw;
        }

        ImportJournal.MarkUndone(journal.Path, DateTimeOffset.UtcNow);
        if (backup is not null)
        {
            DatabaseBackup.Prune(backup, options.BackupsToKeep);
        }

        return new UndoResult
        {
            Plan = plan,
            Summary = plan.Summary,
            ChangesUndone = plan.Changes.Count,
            Refused = plan.Refused,
            BackupPath = backup?.Path,
            NoBackupReason = noBackupReason,
            Duration = clock.Elapsed,
        };
    }

    private static void Check(ImportJournal journal, KolibriDatabase database, DbTransaction? transaction)
    {
        using var rows = new RowStore(database, transaction);
        if (rows.Find("kolibriauth_collection", journal.FacilityId) is null)
        {
            throw new UndoException(UndoProblem.WrongDatabase,
                $"The journal '{journal.Path}' records an import into facility '{journal.FacilityName}' ({journal.FacilityId}), which the database '{database.Path}' does not have (the import was into '{journal.DatabasePath}').");
        }
    }
}
