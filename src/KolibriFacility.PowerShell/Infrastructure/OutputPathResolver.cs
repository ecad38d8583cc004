using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Resolves -Path / -LiteralPath of an output file through PowerShell providers (FileSystem only).</summary>
internal static class OutputPathResolver
{
    /// <summary>
    /// The file system path for a new or existing output file. A path that names an existing folder gets
    /// <paramref name="defaultFileName"/> inside it; no path means that name in the current location.
    /// </summary>
    public static string Resolve(PSCmdlet cmdlet, string? path, bool literal, Func<string> defaultFileName)
    {
        if (string.IsNullOrEmpty(path))
        {
            return Path.Combine(cmdlet.SessionState.Path.CurrentFileSystemLocation.ProviderPath, defaultFileName());
        }

        var resolved = FileSystemPath.Resolve(cmdlet, path, literal, "file or folder", "written");

        // A path ending in a separator names a folder even when it does not exist yet (-Path ./reports/).
        var isFolder = Directory.Exists(resolved) || path.EndsWith('/') || path.EndsWith('\\');
        return isFolder ? Path.Combine(resolved, defaultFileName()) : resolved;
    }
}
