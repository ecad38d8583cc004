using System.Management.Automation;
using KolibriFacility.Core.IO;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Export-Csv's rules for an output file: -NoClobber refuses an existing file, -Force overwrites a read-only one.</summary>
internal static class OutputFileGuard
{
    /// <summary>Returns an ErrorRecord when the file may not be written, else makes it writable and returns null.</summary>
    public static ErrorRecord? Check(string path, bool noClobber, bool force)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        if (noClobber)
        {
            return new ErrorRecord(
                new IOException($"The file '{path}' already exists and -NoClobber was given. Remove -NoClobber to overwrite it, or choose another -Path."),
                ErrorIds.FileExists, ErrorCategory.ResourceExists, path);
        }

        var attributes = File.GetAttributes(path);
        if ((attributes & FileAttributes.ReadOnly) != 0)
        {
            if (!force)
            {
                return new ErrorRecord(
                    new UnauthorizedAccessException($"The file '{path}' is read-only. Use -Force to overwrite it."),
                    ErrorIds.FileWriteFailed, ErrorCategory.PermissionDenied, path);
            }

            File.SetAttributes(path, attributes & ~FileAttributes.ReadOnly);
        }

        return null;
    }

    public static ExistingFile Mode(bool noClobber) => noClobber ? ExistingFile.Fail : ExistingFile.Overwrite;
}
