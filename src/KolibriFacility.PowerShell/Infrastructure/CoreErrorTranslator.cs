using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// The one place where Core's exceptions become error records: a stable id, a category, the object the error is
/// about, and the advice in the words of this module's parameters (Core says what went wrong, never which switch to use).
/// </summary>
internal static class CoreErrorTranslator
{
    /// <summary>
    /// The error record for an exception Core throws on purpose, or null for any other exception.
    /// <paramref name="context"/> is the target when the exception does not name its own (the CSV, the facility).
    /// </summary>
    public static ErrorRecord? Translate(Exception exception, object? context) => exception switch
    {
        KolibriDatabaseException ex => Database(ex),
        BackupException ex => Backup(ex),
        FacilitySelectionException ex => Facility(ex),
        PortalException ex => Portal(ex, context),
        ImportRefusedException ex => Refused(ex, context),
        UndoException ex => Undo(ex, context),
        RestoreException ex => Restore(ex),
        ImportConflictException ex => Record(ex, ErrorIds.ImportPlanStale, ErrorCategory.InvalidData, context, ImportAdvice.MakeNewPlan),
        KolibriCommandNotFoundException ex => Record(ex, ErrorIds.KolibriCommandNotFound, ErrorCategory.ObjectNotFound, context,
            "Install Kolibri or pass -KolibriCommand with the path of its 'kolibri' command (see Get-Help Invoke-PortalSync -Full)."),
        OutputFileException { Problem: OutputFileProblem.Exists } ex => Record(ex, ErrorIds.FileExists, ErrorCategory.ResourceExists, ex.Path,
            "Remove -NoClobber to overwrite it, or choose another -Path."),
        OutputFileException ex => Record(ex, ErrorIds.FileWriteFailed, ErrorCategory.PermissionDenied, ex.Path, "Use -Force to overwrite a read-only file."),
        _ when NativeLoadFailure(exception) is { } missing =>
            // Surfaces as a TypeInitializationException of Microsoft.Data.Sqlite; the admin needs the probe list inside it.
            Record(missing, ErrorIds.NativeSqliteNotLoaded, ErrorCategory.ResourceUnavailable, null, null),
        _ => null,
    };

    public static ErrorRecord Record(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction, string? message = null)
    {
        var record = new ErrorRecord(exception, errorId, category, target);
        if (recommendedAction is not null || message is not null)
        {
            record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction };
        }

        return record;
    }

    private static ErrorRecord Database(KolibriDatabaseException ex)
    {
        var (id, category, advice) = ex.Problem switch
        {
            DatabaseProblem.NotFound => (ErrorIds.DatabaseNotFound, ErrorCategory.ObjectNotFound,
                "Pass -Database <path to db.sqlite3>, or set $env:KOLIBRI_HOME to the folder that holds it."),
            DatabaseProblem.NotADatabase => (ErrorIds.NotAKolibriDatabase, ErrorCategory.InvalidData, null),
            DatabaseProblem.UnsupportedSchema => (ErrorIds.UnsupportedKolibriSchema, ErrorCategory.InvalidData, null),
            DatabaseProblem.Busy => (ErrorIds.DatabaseBusy, ErrorCategory.ResourceBusy, ImportAdvice.WaitForKolibri),
            DatabaseProblem.FolderReadOnly => (ErrorIds.DatabaseFolderReadOnly, ErrorCategory.PermissionDenied,
                "Run as the user Kolibri runs as (who owns KOLIBRI_HOME), or make the folder writable for this user."),
            DatabaseProblem.DiskFull => (ErrorIds.DiskFull, ErrorCategory.ResourceUnavailable, "Free space on the disk that holds the database, then import again."),
            DatabaseProblem.Unreachable => (ErrorIds.DatabaseUnreachable, ErrorCategory.ConnectionError,
                "Start the PostgreSQL server, or correct DATABASE_HOST/DATABASE_PORT in KOLIBRI_HOME/options.ini (or the connection string)."),
            DatabaseProblem.AuthenticationFailed => (ErrorIds.DatabaseAuthenticationFailed, ErrorCategory.AuthenticationError,
                "Check DATABASE_USER and DATABASE_PASSWORD in KOLIBRI_HOME/options.ini, or pass -ConnectionString with -DatabaseCredential."),
            DatabaseProblem.InvalidSettings => (ErrorIds.InvalidDatabaseSettings, ErrorCategory.InvalidData,
                "Correct the [Database] section of KOLIBRI_HOME/options.ini or the KOLIBRI_DATABASE_* environment variables."),
            _ when OnPostgres(ex.Path) => (ErrorIds.DatabaseReadOnly, ErrorCategory.PermissionDenied,
                "Connect as a PostgreSQL user that may write Kolibri's tables (Kolibri's own DATABASE_USER in KOLIBRI_HOME/options.ini)."),
            _ => (ErrorIds.DatabaseReadOnly, ErrorCategory.PermissionDenied,
                "Run as the user Kolibri runs as (who owns db.sqlite3), or make the file writable (chmod u+w; chattr -i; a read-write mount)."),
        };
        return Record(ex, id, category, ex.Path, advice);
    }

    /// <summary>Whether a database path names a PostgreSQL database: a connection's postgres://... or a KOLIBRI_HOME whose options.ini says postgres.</summary>
    private static bool OnPostgres(string path) =>
        Core.Storage.Postgres.PostgresSettings.IsDescription(path)
            || (Directory.Exists(path) && KolibriDatabaseLocator.EngineOf(path) == DatabaseEngine.PostgreSql);

    private static ErrorRecord Backup(BackupException ex)
    {
        var (id, category, advice) = ex.Problem switch
        {
            BackupProblem.FolderIsFile => (ErrorIds.BackupFolderIsFile, ErrorCategory.ResourceExists,
                "Rename or remove that file (Kolibri does not use it): the backup and the import's journal (kept for Undo-FacilityImport even with -NoBackup) go into that folder."),
            BackupProblem.DiskFull => (ErrorIds.DiskFull, ErrorCategory.ResourceUnavailable,
                "Free space on that disk (older backups in the folder can go; Get-FacilityBackup lists them), or import with -NoBackup."),
            BackupProblem.DumpFailed => (ErrorIds.BackupFailed, ErrorCategory.WriteError,
                "Correct what pg_dump says (quoted in the error) and run the command again; an import or undo can also go ahead with -NoBackup, keeping only its journal (Undo-FacilityImport undoes the import with it)."),
            _ => (ErrorIds.BackupFolderNotWritable, ErrorCategory.PermissionDenied,
                "Make the folder writable for this user (run as the user Kolibri runs as): the backup and the import's journal (kept for Undo-FacilityImport even with -NoBackup) go there."),
        };
        return Record(ex, id, category, ex.Path, advice);
    }

    private static ErrorRecord Facility(FacilitySelectionException ex)
    {
        var (id, category, advice) = ex.Problem switch
        {
            FacilitySelectionProblem.NotFound => (ErrorIds.FacilityNotFound, ErrorCategory.ObjectNotFound, "Give -Facility one of the facilities listed (names tab-complete)."),
            FacilitySelectionProblem.Ambiguous => (ErrorIds.FacilityAmbiguous, ErrorCategory.InvalidArgument, "Give -Facility the facility's id instead of its name."),
            FacilitySelectionProblem.NoDefault => (ErrorIds.NoDefaultFacility, ErrorCategory.InvalidArgument, "Choose one with -Facility."),
            _ => (ErrorIds.NoFacility, ErrorCategory.ObjectNotFound, "Set up Kolibri on this device, or create a sandbox with New-FacilityDatabase."),
        };
        return Record(ex, id, category, ex.Requested, advice);
    }

    private static ErrorRecord Portal(PortalException ex, object? facility)
    {
        var (id, category, advice) = ex.Problem switch
        {
            PortalProblem.InvalidToken => (ErrorIds.PortalTokenInvalid, ErrorCategory.InvalidArgument, "Copy the project token again from the project's page on the Kolibri Data Portal and pass it to -Token."),
            PortalProblem.AlreadyRegistered => (ErrorIds.PortalAlreadyRegistered, ErrorCategory.ResourceExists, "The facility is already registered with a project on the portal: run Invoke-PortalSync without -Token to sync it."),
            PortalProblem.FacilityDoesNotExist => (ErrorIds.PortalFacilityUnknown, ErrorCategory.ObjectNotFound, "Sync the facility with Invoke-PortalSync (without -Token), then register again."),
            PortalProblem.Offline => (ErrorIds.PortalUnreachable, ErrorCategory.ConnectionError, "Check the internet connection and the portal address (-PortalUrl, options.ini), then try again."),
            PortalProblem.NoOwnedCertificate => (ErrorIds.FacilityCertificateNotOwned, ErrorCategory.PermissionDenied, "Register the facility from the device where it was created."),
            PortalProblem.BrokenCertificateChain => (ErrorIds.FacilityCertificateInvalid, ErrorCategory.InvalidData, "The facility's certificates in morango_certificate are damaged; restore the database from a backup."),
            _ => (ErrorIds.PortalError, ErrorCategory.ProtocolError, "Try again later; if it persists, check the portal address."),
        };
        return Record(ex, id, category, facility, advice);
    }

    private static ErrorRecord Refused(ImportRefusedException ex, object? csv) =>
        Refused(ex, csv, ImportAdvice.For(ex.Refusal), "Nothing was imported: ");

    /// <summary>A refused plan with the caller's advice (the user and class cmdlets have other parameters than the import).</summary>
    public static ErrorRecord Refused(ImportRefusedException ex, object? target, string advice, string nothingDone)
    {
        var (id, category) = ex.Refusal.HasFlag(ImportRefusal.LooksTruncated)
            ? (ErrorIds.ImportFileLooksTruncated, ErrorCategory.InvalidData)
            : ex.Refusal.HasFlag(ImportRefusal.TooManyDeletions)
                ? (ErrorIds.DeletionThresholdExceeded, ErrorCategory.LimitsExceeded)
                : (ErrorIds.ImportRefused, ErrorCategory.InvalidOperation);
        return Record(ex, id, category, target, advice.Length == 0 ? null : advice, nothingDone + ex.Message);
    }

    private static ErrorRecord Undo(UndoException ex, object? journal) => ex.Problem switch
    {
        UndoProblem.AlreadyUndone => Record(ex, ErrorIds.ImportAlreadyUndone, ErrorCategory.InvalidOperation, journal,
            "Nothing to do. To go back further, restore the backup taken before the import (Get-FacilityBackup | Restore-FacilityDatabase)."),
        UndoProblem.WrongDatabase => Record(ex, ErrorIds.UndoWrongDatabase, ErrorCategory.InvalidArgument, journal,
            "Pass -Database (or -ConnectionString) with the database the import was made on."),
        _ => Record(ex, ErrorIds.UndoBrokenReferences, ErrorCategory.InvalidData, journal,
            "Rows the import deleted refer to rows removed since (a class deleted after the import, say). Restore the backup taken before the import instead, or re-create what is missing."),
    };

    private static ErrorRecord Restore(RestoreException ex) => ex.Problem switch
    {
        RestoreProblem.KolibriRunning => Record(ex, ErrorIds.KolibriRunning, ErrorCategory.ResourceBusy, ex.Path,
            "Stop Kolibri ('kolibri stop'), restore, then start it again; or pass -Force and restart Kolibri right after."),
        RestoreProblem.BackupDamaged => Record(ex, ErrorIds.BackupDamaged, ErrorCategory.InvalidData, ex.Path, "Choose another backup (Get-FacilityBackup lists them)."),
        RestoreProblem.OtherEngine => Record(ex, ErrorIds.BackupEngineMismatch, ErrorCategory.InvalidArgument, ex.Path,
            "Choose a backup of this database (Get-FacilityBackup lists them): .sqlite3 for SQLite, .pgdump for PostgreSQL."),
        RestoreProblem.ToolNotFound => Record(ex, ErrorIds.PostgresToolNotFound, ErrorCategory.ObjectNotFound, ex.Path,
            "Install PostgreSQL's client programs for the server's version (Debian: postgresql-client-<version>), or set $env:KOLIBRIFACILITY_PG_BIN to the folder that holds pg_dump and pg_restore; or run the command in the message."),
        RestoreProblem.RestoreFailed => Record(ex, ErrorIds.RestoreFailed, ErrorCategory.WriteError, ex.Path,
            "Correct what pg_restore says (its messages are in the error); stop Kolibri if it held a lock."),
        _ => Record(ex, ErrorIds.RestoredDatabaseDamaged, ErrorCategory.InvalidResult, ex.Path,
            "Restore the safety copy named in the message (Restore-FacilityDatabase -Path <it>) and check the disk."),
    };

    private static DllNotFoundException? NativeLoadFailure(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DllNotFoundException missing)
            {
                return missing;
            }
        }

        return null;
    }
}
