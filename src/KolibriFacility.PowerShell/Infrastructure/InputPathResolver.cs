using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Resolves -Path / -LiteralPath of an existing input file through PowerShell providers (FileSystem only).</summary>
internal static class InputPathResolver
{
    /// <summary>The file system path of exactly one existing file; throws ItemNotFoundException or ArgumentException otherwise.</summary>
    public static string Resolve(PSCmdlet cmdlet, string path, bool literal)
    {
        var resolved = FileSystemPath.Resolve(cmdlet, path, literal, "file", "read");
        if (Directory.Exists(resolved))
        {
            throw new ArgumentException($"The path '{resolved}' is a folder; give the users CSV file.");
        }

        if (!File.Exists(resolved))
        {
            throw new ItemNotFoundException($"Cannot find the file '{resolved}'.");
        }

        return resolved;
    }
}
