using KolibriFacility.Core.IO;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Where and how <see cref="OutputFile"/> writes: -Path / -LiteralPath / -NoClobber / -Force, as Export-Csv has them.</summary>
/// <param name="PermissionsOf">The database the file's data comes from: a new file is no wider than it.</param>
internal sealed record OutputFileTarget(string? Path, string? LiteralPath, bool NoClobber, bool Force, string? PermissionsOf)
{
    public OutputFileOptions Options => new() { NoClobber = NoClobber, Force = Force, PermissionsOf = PermissionsOf };
}
