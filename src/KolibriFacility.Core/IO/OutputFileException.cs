namespace KolibriFacility.Core.IO;

/// <summary>Why an output file may not be written.</summary>
public enum OutputFileProblem
{
    /// <summary>The file exists and the caller asked never to overwrite one (NoClobber).</summary>
    Exists,

    /// <summary>The file exists, is read-only, and the caller did not ask to overwrite read-only files (Force).</summary>
    ReadOnly,
}

/// <summary>An output file was not written because of the rules the caller chose; nothing was changed.</summary>
public sealed class OutputFileException(OutputFileProblem problem, string path, string message) : IOException(message)
{
    public OutputFileProblem Problem { get; } = problem;

    public string Path { get; } = path;
}
