using System.Management.Automation;
using KolibriFacility.Core.IO;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// The one sequence of every cmdlet that writes a file: resolve the path (a folder gets the default name), ask
/// ShouldProcess, apply the overwrite rules before the long work, write with progress through a temporary file, and
/// report a failure as a non-terminating error that leaves no partial file.
/// </summary>
internal sealed class OutputFile
{
    private readonly PSCmdlet cmdlet;
    private readonly OutputFileOptions options;

    private OutputFile(PSCmdlet cmdlet, string path, OutputFileOptions options)
    {
        this.cmdlet = cmdlet;
        this.options = options;
        Path = path;
    }

    public string Path { get; }

    /// <summary>
    /// The file to write, or null when the admin declined (ShouldProcess) or the overwrite rules refuse it (the error
    /// is written). A bad path stops the command with InvalidPath. <paramref name="action"/> is null for a file that
    /// is part of a change already confirmed (no question of its own).
    /// </summary>
    public static OutputFile? Prepare(PSCmdlet cmdlet, OutputFileTarget parameters, Func<string> defaultFileName, string? action)
    {
        var given = parameters.LiteralPath ?? parameters.Path;
        string path;
        try
        {
            path = OutputPathResolver.Resolve(cmdlet, given, literal: parameters.LiteralPath is not null, defaultFileName);
        }
        catch (Exception ex) when (ex is ArgumentException or ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            cmdlet.ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.InvalidPath, ErrorCategory.InvalidArgument, given));
            return null;
        }

        if (action is not null && !cmdlet.ShouldProcess(path, action))
        {
            return null;
        }

        var file = new OutputFile(cmdlet, path, parameters.Options);
        return file.Try(() => SafeFileWriter.CheckTarget(path, file.options)) ? file : null;
    }

    /// <summary>Writes the file; false after a failure, which has been written as an error.</summary>
    public bool TryWrite<T>(ProgressReporter progress, Func<Stream, T> write, out T result)
    {
        T written = default!;
        try
        {
            var succeeded = Try(() => written = SafeFileWriter.Write(Path, options, write));
            result = written;
            return succeeded;
        }
        finally
        {
            progress.Complete();
        }
    }

    /// <summary>
    /// The written file as the FileSystem provider returns it (Get-Item -LiteralPath): with PSPath, PSParentPath and
    /// the rest, so the default view shows mode, size and "Directory:", and Remove-Item or Copy-Item down the
    /// pipeline find it even when its name holds wildcard characters.
    /// </summary>
    public void WriteItem() => cmdlet.WriteObject(cmdlet.InvokeProvider.Item.Get([Path], force: true, literalPath: true), enumerateCollection: true);

    private bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception ex) when (CoreErrorTranslator.Translate(ex, Path) is { } record)
        {
            cmdlet.WriteError(record);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            cmdlet.WriteError(new ErrorRecord(ex, ErrorIds.FileWriteFailed, ErrorCategory.WriteError, Path));
        }

        return false;
    }
}
