namespace KolibriFacility.Core.IO;

/// <summary>How an output file is written over an existing one (Export-Csv's rules).</summary>
public sealed record OutputFileOptions
{
    /// <summary>Never overwrite an existing file.</summary>
    public bool NoClobber { get; init; }

    /// <summary>Overwrite a read-only file too.</summary>
    public bool Force { get; init; }

    /// <summary>
    /// The file whose data this one holds (the database): a new file gets no wider permissions than it. Null: owner
    /// only. A replaced file always keeps its own mode and owner.
    /// </summary>
    public string? PermissionsOf { get; init; }
}
