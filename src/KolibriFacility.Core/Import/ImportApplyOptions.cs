namespace KolibriFacility.Core.Import;

/// <summary>Where and how a plan is applied.</summary>
public sealed class ImportApplyOptions
{
    /// <summary>The db.sqlite3 or KOLIBRI_HOME; with <see cref="Connection"/>, only the description of that connection.</summary>
    public required string DatabasePath { get; init; }

    /// <summary>An explicit PostgreSQL connection (-ConnectionString), used instead of the options.ini of <see cref="DatabasePath"/>.</summary>
    public Storage.Postgres.PostgresSettings? Connection { get; init; }

    /// <summary>Take an online backup before the first write (default).</summary>
    public bool Backup { get; init; } = true;

    /// <summary>
    /// Where the backup and the journal go; default KOLIBRI_HOME/backups (the database's folder + /backups; for an
    /// explicit connection the KOLIBRI_HOME of this session, as Kolibri resolves it).
    /// </summary>
    public string? BackupFolder { get; init; }

    /// <summary>How many backups the folder keeps: after a successful import the oldest beyond this are deleted (never the one just made).</summary>
    public int BackupsToKeep { get; init; } = DefaultBackupsToKeep;

    public const int DefaultBackupsToKeep = 10;

    /// <summary>How long to wait for Kolibri to release its write lock before failing with DatabaseProblem.Busy.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ids of destructive changes the admin declined: they are not applied.</summary>
    public IReadOnlySet<int> ExcludedChanges { get; init; } = new HashSet<int>();

    /// <summary>Progress of hashing and writing, throttled; called from worker threads.</summary>
    public IProgress<ImportProgress>? Progress { get; init; }

    /// <summary>Threads hashing passwords; default all cores.</summary>
    public int? HashParallelism { get; init; }

    /// <summary>Where pg_dump is looked for on PostgreSQL; default <see cref="Storage.Postgres.PostgresClientTools.Default"/>.</summary>
    public Storage.Postgres.PostgresClientTools? PostgresTools { get; init; }
}

/// <summary>How far an apply is: Stage is "Hashing passwords", "Writing" (an undo's "Undoing"), or the pg_dump backup (with Elapsed, no count).</summary>
public sealed record ImportProgress(string Stage, int Done, int Total)
{
    /// <summary>How long the stage has run, for a stage without a count (<see cref="ImportApplier.BackupStage"/>); null otherwise.</summary>
    public TimeSpan? Elapsed { get; init; }
}

/// <summary>What an apply did.</summary>
public sealed record ImportResult
{
    /// <summary>Counts of the changes applied (declined changes left out).</summary>
    public required ImportSummary Summary { get; init; }

    public string? BackupPath { get; init; }

    /// <summary>
    /// Why no backup file was taken although one was asked for (PostgreSQL without a usable pg_dump): the journal is
    /// then what is kept of the state before. Null when a backup was taken or none was asked for.
    /// </summary>
    public string? NoBackupReason { get; init; }

    /// <summary>
    /// The import's journal (what each change replaced, for Undo-FacilityImport): beside the backup, with the same base
    /// name; with -NoBackup in the backup folder all the same, under the name the backup would have had. Null only for
    /// an import that changed nothing.
    /// </summary>
    public string? JournalPath { get; init; }

    public TimeSpan Duration { get; init; }

    public required ImportPlan Plan { get; init; }

    public int ChangesApplied { get; init; }

    public int ChangesSkipped { get; init; }

    public override string ToString() => Summary.ToString();
}
