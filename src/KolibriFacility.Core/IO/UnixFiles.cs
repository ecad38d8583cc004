using System.Runtime.InteropServices;

namespace KolibriFacility.Core.IO;

/// <summary>
/// What .NET does not expose about Unix files: the owner (uid, gid), giving a file to an owner, and the kernel's
/// own write check (access(2), which also knows read-only mounts and immutable files that root cannot bypass).
/// Every member is a no-op or "unknown" on Windows and where the C library lacks the call.
/// </summary>
internal static partial class UnixFiles
{
    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxType = 0x1;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;
    private const int WriteOk = 2;
    private const int ExecuteOk = 1;

    /// <summary>The owner of <paramref name="path"/> (not following a symlink), or null where it cannot be read (Windows, macOS, old C libraries).</summary>
    public static (uint Uid, uint Gid)? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // struct statx has the same layout on every Linux architecture: stx_uid at byte 20, stx_gid at byte 24.
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid | StatxGid, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToUInt32(buffer, 20), BitConverter.ToUInt32(buffer, 24));
    }

    /// <summary>
    /// What <paramref name="path"/> is (following symlinks) when it is not a regular file or a folder: "a named pipe",
    /// "a character device", "a block device" or "a socket"; null for a regular file, a folder, or where it cannot be
    /// told (Windows, macOS, old C libraries, a missing path).
    /// </summary>
    public static string? SpecialFileKindOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        // stx_mode (16 bits) is at byte 28 of struct statx on every Linux architecture; S_IFMT is its top 4 bits.
        var buffer = new byte[256];
        try
        {
            if (statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
            {
                return null;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }

        return (BitConverter.ToUInt16(buffer, 28) & 0xF000) switch
        {
            0x1000 => "a named pipe",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => null,
        };
    }

    /// <summary>Gives <paramref name="path"/> to <paramref name="owner"/>; false when not allowed (only root may give files away).</summary>
    public static bool TryChangeOwner(string path, (uint Uid, uint Gid) owner)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }

        try
        {
            return chown(path, owner.Uid, owner.Gid) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>
    /// Whether this process may write <paramref name="path"/> (for a folder: create files in it). Null when the
    /// system cannot say (Windows): then the write itself is the test.
    /// </summary>
    public static bool? CanWrite(string path, bool isFolder = false)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        try
        {
            return access(path, isFolder ? WriteOk | ExecuteOk : WriteOk) == 0;
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    // Paths are passed as UTF-8, as the C library reads them on Linux and macOS.
    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte[] buffer);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "access", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int access(string path, int mode);
}
