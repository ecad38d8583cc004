using KolibriFacility.Core.IO;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>-Path / -LiteralPath / -NoClobber / -Force of a cmdlet that writes one file, as Export-Csv has them.</summary>
/// <param name="PermissionsOf">The database the file's data comes from: a new file is no wider than it.</param>
internal sealed record OutputFileParameters(string? Path, string? LiteralPath, bool NoClobber, bool Force, string? PermissionsOf)
{
    public OutputFileOptions Options => new() { NoClobber = NoClobber, Force = Force, PermissionsOf = PermissionsOf };
}
