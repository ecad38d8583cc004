namespace KolibriFacility.Core.IO;

/// <summary>How an output file that already exists is treated.</summary>
public enum ExistingFile
{
    Overwrite,
    Fail,
}

/// <summary>
/// Writes a file under a temporary name in the same folder and moves it into place only when the writing
/// succeeded, so a failed or cancelled write never leaves a half file under the final name. The one home of the
/// rules for an existing file (NoClobber, read-only), of writing through a symbolic link to its target (as
/// Export-Csv does), and of the new file's permissions (<see cref="FilePermissions"/>).
/// </summary>
public static class SafeFileWriter
{
    public static T Write<T>(string path, ExistingFile existing, Func<Stream, T> write) =>
        Write(path, new OutputFileOptions { NoClobber = existing == ExistingFile.Fail }, write);

    public static T Write<T>(string path, OutputFileOptions options, Func<Stream, T> write)
    {
        var full = CheckTarget(path, options);
        var folder = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, TemporaryName(Path.GetFileName(full)));
        try
        {
            T result;
            using (var stream = FilePermissions.CreateNew(temporary, FilePermissions.NoWiderThan(options.PermissionsOf)))
            {
                result = write(stream);
            }

            if (File.Exists(full))
            {
                FilePermissions.CopyModeAndOwner(full, temporary);
            }

            Replace(temporary, full, options);
            return result;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Throws <see cref="OutputFileException"/> when the rules forbid writing <paramref name="path"/>; call it before
    /// long work so the admin does not wait for a refusal. Returns the full path.
    /// </summary>
    public static string CheckTarget(string path, OutputFileOptions options)
    {
        var full = ThroughLinks(Path.GetFullPath(path));
        if (!File.Exists(full))
        {
            return full;
        }

        if (options.NoClobber)
        {
            throw new OutputFileException(OutputFileProblem.Exists, full, $"The file '{full}' already exists.");
        }

        if (!options.Force && File.GetAttributes(full).HasFlag(FileAttributes.ReadOnly))
        {
            throw new OutputFileException(OutputFileProblem.ReadOnly, full, $"The file '{full}' is read-only.");
        }

        return full;
    }

    /// <summary>The file a symbolic link ends at (which need not exist yet), so the link stays and its target is written.</summary>
    private static string ThroughLinks(string full)
    {
        var file = new FileInfo(full);
        if (file.LinkTarget is null)
        {
            return full;
        }

        var final = file.ResolveLinkTarget(returnFinalTarget: true);
        return final is null ? full : Path.GetFullPath(final.FullName);
    }

    /// <summary>A hidden name beside the target, short enough for any file system whatever the target's length.</summary>
    private static string TemporaryName(string fileName) =>
        "." + (fileName.Length > 40 ? fileName[..(char.IsHighSurrogate(fileName[39]) ? 39 : 40)] : fileName) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";

    private static void Replace(string temporary, string full, OutputFileOptions options)
    {
        if (options.NoClobber)
        {
            try
            {
                File.Move(temporary, full, overwrite: false);
            }
            catch (IOException) when (File.Exists(full))
            {
                // Another program created the file while this one was being written.
                throw new OutputFileException(OutputFileProblem.Exists, full, $"The file '{full}' already exists.");
            }

            return;
        }

        if (File.Exists(full) && File.GetAttributes(full) is var attributes && attributes.HasFlag(FileAttributes.ReadOnly))
        {
            File.SetAttributes(full, attributes & ~FileAttributes.ReadOnly);
        }

        File.Move(temporary, full, overwrite: true);
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
