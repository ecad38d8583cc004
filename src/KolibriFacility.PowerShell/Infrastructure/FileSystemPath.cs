using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>A -Path (wildcards: exactly one match) or -LiteralPath resolved through PowerShell's providers to a file system path.</summary>
internal static class FileSystemPath
{
    /// <param name="expected">What a wildcard must match, in the error: "file" or "file or folder".</param>
    /// <param name="use">What the path is for, in the error: "read" or "written".</param>
    public static string Resolve(PSCmdlet cmdlet, string path, bool literal, string expected, string use)
    {
        string resolved;
        ProviderInfo provider;
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            if (matches.Count != 1)
            {
                throw new ArgumentException($"The path '{path}' resolves to {matches.Count} items; give exactly one {expected} (or use -LiteralPath).");
            }

            resolved = matches[0];
        }
        else
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }

        if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
        {
            throw new ArgumentException($"The path '{path}' is on the {provider.Name} provider; only file system paths can be {use}.");
        }

        return resolved;
    }
}
