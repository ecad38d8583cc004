namespace KolibriFacility.Core.Storage;

/// <summary>Why the backup before an import could not be made.</summary>
public enum BackupProblem
{
    /// <summary>The backup folder's name is taken by a file.</summary>
    FolderIsFile,

    /// <summary>This user may not create the folder or files in it (permissions, read-only disk, immutable folder).</summary>
    FolderNotWritable,

    /// <summary>The disk holding the backup folder is full.</summary>
    DiskFull,

    /// <summary>pg_dump failed (its exit code and messages, the password masked, are in the message).</summary>
    DumpFailed,
}

/// <summary>The backup could not be made, so nothing was imported; <see cref="Path"/> is the backup folder (for <see cref="BackupProblem.DumpFailed"/> the dump's file, removed).</summary>
public sealed class BackupException(BackupProblem problem, string path, string message, Exception? inner = null) : IOException(message, inner)
{
    public BackupProblem Problem { get; } = problem;

    public string Path { get; } = path;
}
