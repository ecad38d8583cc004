using KolibriFacility.Core.IO;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>-Path / -LiteralPath / -NoClobber / -Force of a cmdlet that writes one file, as Export-Csv has them.</summary>
internal sealed record OutputFileParameters(string? Path, string? LiteralPath, bool NoClobber, bool Force)
{
    public OutputFileOptions Options => new() { NoClobber = NoClobber, Force = Force };
}
