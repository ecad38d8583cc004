using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Resolves -Path / -LiteralPath of an existing input file through PowerShell providers (FileSystem only).</summary>
internal static class InputPathResolver
{
    /// <summary>The file system path of exactly one existing file; throws ItemNotFoundException or ArgumentException otherwise.</summary>
    public static string Resolve(PSCmdlet cmdlet, string path, bool literal)
    {
        string resolved;
        ProviderInfo provider;
        if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
        {
            var matches = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out provider);
            if (matches.Count != 1)
            {
                throw new ArgumentException($"The path '{path}' matches {matches.Count} files; give exactly one file (or use -LiteralPath).");
            }

            resolved = matches[0];
        }
        else
        {
            resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out provider, out _);
        }

        if (provider.ImplementingType != typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
        {
            throw new ArgumentException($"The path '{path}' is on the {provider.Name} provider; only file system paths can be read.");
        }

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
