namespace KolibriFacility.Core.IO;

/// <summary>
/// Who may read the files this module writes. Files made from the database (exports, rejected rows with their
/// plaintext passwords) are no wider than the database; backups hold the facility's private key and every password
/// hash, so they and their folder are the owner's only. A replaced file keeps its mode and owner. On Windows files
/// inherit their folder's ACL as usual and nothing here applies.
/// </summary>
public static class FilePermissions
{
    public const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public const UnixFileMode OwnerOnlyFolder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode ReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead
        | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;

    /// <summary>The mode for a new file holding data of <paramref name="reference"/>: its read and write bits (owner-only when there is no reference).</summary>
    public static UnixFileMode NoWiderThan(string? reference)
    {
        if (OperatingSystem.IsWindows() || reference is null || !File.Exists(reference))
        {
            return OwnerOnlyFile;
        }

        return (File.GetUnixFileMode(reference) & ReadWrite) | UnixFileMode.UserRead | UnixFileMode.UserWrite;
    }

    /// <summary>Creates a new file that gets at most <paramref name="mode"/> (the umask may narrow it further).</summary>
    public static FileStream CreateNew(string path, UnixFileMode mode, int bufferSize = 1 << 16)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = bufferSize };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = mode;
        }

        return new FileStream(path, options);
    }

    /// <summary>Gives <paramref name="replacement"/> the mode and (where allowed) the owner of the file it is about to replace.</summary>
    public static void CopyModeAndOwner(string existing, string replacement)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (UnixFiles.OwnerOf(existing) is { } owner && UnixFiles.OwnerOf(replacement) != owner)
        {
            // Only root may give a file away; anyone else's replacement stays theirs, as with any editor's save.
            UnixFiles.TryChangeOwner(replacement, owner);
        }

        // After chown: changing the owner clears set-id bits, and the mode must be the old file's exactly.
        File.SetUnixFileMode(replacement, File.GetUnixFileMode(existing) | UnixFileMode.UserWrite);
    }

    /// <summary>Creates a folder only the owner can enter, or narrows an existing one of ours to that.</summary>
    public static void EnsureOwnerOnlyFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }

        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, OwnerOnlyFolder);
            return;
        }

        var mode = File.GetUnixFileMode(path);
        if ((mode & ~OwnerOnlyFolder) != 0)
        {
            try
            {
                File.SetUnixFileMode(path, mode & OwnerOnlyFolder);
            }
            catch (UnauthorizedAccessException)
            {
                // Not our folder: the backup file itself is still owner-only.
            }
        }
    }
}
