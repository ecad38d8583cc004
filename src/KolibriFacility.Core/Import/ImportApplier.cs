using System.Diagnostics;
using System.Globalization;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using System.Data.Common;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Applies a plan atomically: passwords are hashed first, in parallel and before any lock is taken (so Kolibri is not
/// blocked while PBKDF2 runs); then one BEGIN IMMEDIATE transaction re-plans and compares the fingerprint, takes an
/// online backup, writes every change and commits. Any failure or cancellation rolls everything back.
/// </summary>
public static class ImportApplier
{
    public const string HashingStage = "Hashing passwords";
    public const string WritingStage = "Writing";
    public const string BackupStage = "Backing up the database (pg_dump)";
    private const int DeleteBatchSize = 400;

    public static ImportResult Apply(ImportPlan plan, UsersCsvDocument document, ImportApplyOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Apply(plan, PlanSource.FromCsv(document), options, cancellation);
    }

    /// <summary>Applies a plan made from a CSV document or from a set of edits (<see cref="FacilityEdits"/>).</summary>
    public static ImportResult Apply(ImportPlan plan, PlanSource source, ImportApplyOptions options, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var clock = Stopwatch.StartNew();

        if (plan.RefusalReason is { } reason)
        {
            throw new ImportRefusedException(plan.Refusal, reason);
        }

        if (!string.Equals(source.Sha256, plan.CsvSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new ImportRefusedException(ImportRefusal.CsvChanged, source is CsvPlanSource
                ? $"The CSV is not the file the plan was made from (SHA-256 {source.Sha256} instead of {plan.CsvSha256}). Plan the import again with this file."
                : $"{source.Noun} are not the ones the plan was made from (SHA-256 {source.Sha256} instead of {plan.CsvSha256}). Plan them again.");
        }

        var changes = SelectChanges(plan, options.ExcludedChanges);
        // The journal goes to the backup folder even without a backup (docs/Undo.md).
        var journalFolder = options.BackupFolder ?? ImportPreflight.DefaultBackupFolder(options.DatabasePath, options.Connection);
        var backupFolder = options.Backup ? journalFolder : null;
        ImportPreflight.Check(options.DatabasePath, journalFolder, options.Connection);
        var hashes = HashPasswords(changes, source, options, cancellation);
        cancellation.ThrowIfCancellationRequested();

        using var database = KolibriDatabase.OpenWrite(options.DatabasePath, options.BusyTimeout, options.Connection);
        using var cancelStatements = database.CancelStatementsOn(cancellation);
        using var transaction = BeginImmediate(database, options.BusyTimeout, cancellation);
        BackupFile? backup = null;
        var backupTaken = false;
        string? noBackupReason = null;
        ImportJournalWriter? journal = null;
        try
        {
            var facility = new Facility { Id = plan.FacilityId, Name = plan.FacilityName, DatasetId = plan.DatasetId, Database = database.Path };
            var fresh = new ImportPlanner(database, transaction).Plan(facility, source, plan.Options);
            var rows = fresh.Rows;
            if (plan.FindConflict(fresh) is { } conflict)
            {
                throw new ImportConflictException(conflict);
            }

            cancellation.ThrowIfCancellationRequested();
            var now = DateTimeOffset.UtcNow;
            backup = (backupFolder is not null
                    ? DatabaseBackup.Create(database, backupFolder, plan.FacilityName, now,
                        BackupSettingsFor(transaction, options.BusyTimeout, options.PostgresTools, options.Progress, cancellation), out noBackupReason)
                    : null)
                ?? DatabaseBackup.ReserveJournalOnly(journalFolder, plan.FacilityName, now);
            backupTaken = backup.IsBackup;
            journal = ImportJournalWriter.Create(ImportJournal.PathFor(backup.Path), plan, backupTaken ? backup.Path : null, now);

            using var writer = new ImportWriter(database, transaction, plan, now, journal);
            var progress = new ThrottledProgress(options.Progress, WritingStage, changes.Count);
            for (var i = 0; i < changes.Count;)
            {
                cancellation.ThrowIfCancellationRequested();
                var change = changes[i];
                if (IsUserDelete(change))
                {
                    // Consecutive user deletes cascade together: one query per child table per batch, not per user.
                    var batch = changes.Skip(i).Take(DeleteBatchSize).TakeWhile(IsUserDelete).ToList();
                    writer.DeleteUsers(batch);
                    i += batch.Count;
                }
                else
                {
                    writer.Apply(change, change.Row is { } row ? rows.GetValueOrDefault(row) : null, hashes.GetValueOrDefault(change.Id));
                    i++;
                }

                progress.Report(i);
            }

            cancellation.ThrowIfCancellationRequested();
            journal.Complete();
            transaction.Commit();
        }
        catch (DbException ex) when (cancellation.IsCancellationRequested)
        {
            RollBack(transaction, backup, journal);
            throw Cancelled(ex, cancellation);
        }
        catch (DbException ex) when (WriteFault(database.Path, options.BusyTimeout, ex) is { } fault)
        {
            RollBack(transaction, backup, journal);
            throw fault;
        }
        catch
        {
            RollBack(transaction, backup, journal);
            throw;
        }
        finally
        {
            journal?.Dispose();
        }

        DatabaseBackup.Prune(backup!, options.BackupsToKeep);

        var excludedUserDeletes = plan.Changes.Count(c => options.ExcludedChanges.Contains(c.Id) && c.Kind == ImportTarget.User && c.Action == ImportAction.Delete);
        return new ImportResult
        {
            Summary = ImportSummary.Count(changes, plan.Summary.UsersUnchanged + excludedUserDeletes, plan.Errors.Count, plan.Warnings.Count),
            BackupPath = backupTaken ? backup!.Path : null,
            NoBackupReason = noBackupReason,
            JournalPath = journal!.Path,
            Duration = clock.Elapsed,
            Plan = plan,
            ChangesApplied = changes.Count,
            ChangesSkipped = plan.Changes.Count - changes.Count,
        };
    }

    /// <summary>
    /// What the backup inside an import's or an undo's write needs: its transaction, the lock timeout, the PostgreSQL
    /// tools (default when not given), and pg_dump's elapsed time reported as the backup stage (it has no count).
    /// </summary>
    internal static BackupSettings BackupSettingsFor(DbTransaction transaction, TimeSpan busyTimeout, Storage.Postgres.PostgresClientTools? tools,
        IProgress<ImportProgress>? progress, CancellationToken cancellation) =>
        new(transaction, busyTimeout, tools ?? Storage.Postgres.PostgresClientTools.Default, cancellation,
            progress is null ? null : elapsed => progress.Report(new ImportProgress(BackupStage, 0, 0) { Elapsed = elapsed }));

    private static bool IsUserDelete(ImportChange change) => change is { Kind: ImportTarget.User, Action: ImportAction.Delete };

    internal static void RollBack(DbTransaction transaction, BackupFile? backup, ImportJournalWriter? journal = null)
    {
        // The database stays as it was: a backup or a journal of it would only mislead.
        journal?.Discard();
        if (backup is not null)
        {
            DatabaseBackup.Discard(backup);
        }

        try
        {
            transaction.Rollback();
        }
        catch (DbException)
        {
            // SQLite already rolled the transaction back (a failed COMMIT or an I/O error does).
        }
        catch (InvalidOperationException)
        {
            // The transaction is already completed.
        }
    }

    private static List<ImportChange> SelectChanges(ImportPlan plan, IReadOnlySet<int> excluded)
    {
        foreach (var id in excluded)
        {
            var change = plan.Changes.FirstOrDefault(c => c.Id == id)
                ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The plan has no change {id} to leave out (it has changes 1 to {plan.Changes.Count})."), nameof(excluded));
            if (!change.IsDestructive)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Change {id} ({change.Description}) is not a deletion or removal; only those can be declined (other changes depend on each other)."), nameof(excluded));
            }
        }

        return plan.Changes.Where(c => !excluded.Contains(c.Id)).ToList();
    }

    private static Dictionary<int, string> HashPasswords(List<ImportChange> changes, PlanSource source, ImportApplyOptions options, CancellationToken cancellation)
    {
        var jobs = changes
            .Where(c => c.Kind == ImportTarget.User && c.Action is ImportAction.Create or ImportAction.Update && c.Fields.Any(f => f.Field == UsersCsvFormat.Password))
            .Select(c => (c.Id, Password: c.Row is { } r && source.PasswordOf(r) is { } password ? password
                : throw new InvalidDataException($"Change {c.Id} ({c.Description}) refers to row {c.Row}, which {source.Noun.ToLowerInvariant()} do not have.")))
            .ToArray();
        var progress = new ThrottledProgress(options.Progress, HashingStage, jobs.Length);
        var hashes = PasswordHasher.Default.HashAll(jobs.Select(j => j.Password).ToArray(), new PasswordHashingOptions
        {
            Parallelism = options.HashParallelism,
            Hashed = progress.Report,
            Cancellation = cancellation,
        });
        return jobs.Select((j, i) => (j.Id, Hash: hashes[i])).ToDictionary(p => p.Id, p => p.Hash);
    }

    internal static DbTransaction BeginImmediate(KolibriDatabase database, TimeSpan busyTimeout, CancellationToken cancellation)
    {
        try
        {
            return database.BeginWrite(busyTimeout); // take the write lock now, not at the first write
        }
        catch (DbException ex) when (cancellation.IsCancellationRequested)
        {
            throw Cancelled(ex, cancellation);
        }
        catch (DbException ex) when (WriteFault(database.Path, busyTimeout, ex) is { } fault)
        {
            // Busy; or, on PostgreSQL, a user who may read but not lock the tables for writing (insufficient_privilege).
            throw fault;
        }
    }

    /// <summary>A statement cancelled by the server on Ctrl+C (<see cref="KolibriDatabase.CancelStatementsOn"/>): the cancellation it is.</summary>
    internal static OperationCanceledException Cancelled(DbException ex, CancellationToken cancellation) =>
        new("The write was cancelled; nothing was changed.", ex, cancellation);

    /// <summary>The database failures of a write that are the system's, not a bug: each named with its database and cause.</summary>
    internal static KolibriDatabaseException? WriteFault(string path, TimeSpan busyTimeout, DbException ex) => DbFailures.Classify(ex) switch
    {
        DbFailure.Busy => Busy(path, busyTimeout, ex),
        DbFailure.ReadOnly => new(DatabaseProblem.ReadOnly, path, $"The database '{path}' is read-only for this user or became read-only during the import ({ex.Message}). Nothing was changed.", ex),
        DbFailure.DiskFull => new(DatabaseProblem.DiskFull, path, $"The disk holding the database '{path}' is full. Nothing was changed.", ex),
        DbFailure.CannotOpen => new(DatabaseProblem.FolderReadOnly, path,
            $"SQLite could not create its journal beside the database '{path}' (SQLite: {ex.Message}). Nothing was changed.", ex),
        _ => null,
    };

    private static KolibriDatabaseException Busy(string path, TimeSpan busyTimeout, DbException ex) =>
        new(DatabaseProblem.Busy, path,
            string.Create(CultureInfo.InvariantCulture,
                $"The database '{path}' is busy: another program (probably Kolibri) kept it locked for more than {busyTimeout.TotalSeconds:0.#} s. Nothing was changed."),
            ex);

    /// <summary>Reports at most every 100 ms (and the last item), from any thread.</summary>
    internal sealed class ThrottledProgress(IProgress<ImportProgress>? target, string stage, int total)
    {
        private static readonly long Interval = Stopwatch.Frequency / 10;
        private long last = -Interval;

        public void Report(int done)
        {
            if (target is null) return;
            var now = Stopwatch.GetTimestamp();
            var previous = Interlocked.Read(ref last);
            if (done != total && now - previous < Interval) return;
            if (done != total && Interlocked.CompareExchange(ref last, now, previous) != previous) return;
            target.Report(new ImportProgress(stage, done, total));
        }
    }
}
