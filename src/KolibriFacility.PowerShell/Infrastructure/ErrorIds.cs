namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Stable error ids: they are API, and tests assert them.</summary>
public static class ErrorIds
{
    public const string DatabaseNotFound = "DatabaseNotFound";
    public const string NotAKolibriDatabase = "NotAKolibriDatabase";
    public const string UnsupportedKolibriSchema = "UnsupportedKolibriSchema";
    public const string DatabaseBusy = "DatabaseBusy";
    public const string DatabaseReadOnly = "DatabaseReadOnly";
    public const string DatabaseFolderReadOnly = "DatabaseFolderReadOnly";
    public const string DiskFull = "DiskFull";
    public const string DatabaseUnreachable = "DatabaseUnreachable";
    public const string DatabaseAuthenticationFailed = "DatabaseAuthenticationFailed";
    public const string InvalidDatabaseSettings = "InvalidDatabaseSettings";
    public const string PostgreSqlNotSupported = "PostgreSqlNotSupported";
    public const string BackupFolderIsFile = "BackupFolderIsFile";
    public const string BackupFolderNotWritable = "BackupFolderNotWritable";
    public const string FacilityNotFound = "FacilityNotFound";
    public const string FacilityAmbiguous = "FacilityAmbiguous";
    public const string NoDefaultFacility = "NoDefaultFacility";
    public const string NoFacility = "NoFacility";
    public const string NativeSqliteNotLoaded = "NativeSqliteNotLoaded";
    public const string UserNotFound = "UserNotFound";
    public const string ClassNotFound = "ClassNotFound";
    public const string FileExists = "FileExists";
    public const string FileWriteFailed = "FileWriteFailed";
    public const string FileReadFailed = "FileReadFailed";
    public const string InvalidPath = "InvalidPath";
    public const string PortalTokenInvalid = "PortalTokenInvalid";
    public const string PortalAlreadyRegistered = "PortalAlreadyRegistered";
    public const string PortalFacilityUnknown = "PortalFacilityUnknown";
    public const string PortalUnreachable = "PortalUnreachable";
    public const string PortalError = "PortalError";
    public const string InvalidServerUrl = "InvalidServerUrl";
    public const string FacilityCertificateNotOwned = "FacilityCertificateNotOwned";
    public const string FacilityCertificateInvalid = "FacilityCertificateInvalid";
    public const string KolibriCommandNotFound = "KolibriCommandNotFound";
    public const string KolibriSyncFailed = "KolibriSyncFailed";
    public const string KolibriHomeMismatch = "KolibriHomeMismatch";
    public const string NothingToSync = "NothingToSync";
    public const string FileNotFound = "FileNotFound";
    public const string ImportHasErrors = "ImportHasErrors";
    public const string DeletionThresholdExceeded = "DeletionThresholdExceeded";
    public const string ImportRefused = "ImportRefused";
    public const string ImportFileLooksTruncated = "ImportFileLooksTruncated";
    public const string ImportPlanStale = "ImportPlanStale";
    public const string ImportPlanMismatch = "ImportPlanMismatch";
    public const string InvalidDateRange = "InvalidDateRange";
    public const string UsersOfSeveralFacilities = "UsersOfSeveralFacilities";
    public const string SampleLogsNeedUsers = "SampleLogsNeedUsers";
}
