namespace KolibriFacility.Core.IO;

/// <summary>How an output file that already exists is treated.</summary>
public enum ExistingFile
{
    Overwrite,
    Fail,
}

/// <summary>
/// Writes a file under a temporary name in the same folder and moves it into place only when the writing
/// succeeded, so a failed or cancelled write never leaves a half file under the final name.
/// </summary>
public static class SafeFileWriter
{
    public static T Write<T>(string path, ExistingFile existing, Func<Stream, T> write)
    {
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full)!;
        if (existing == ExistingFile.Fail && File.Exists(full))
        {
            throw new IOException($"The file '{full}' already exists.");
        }

        Directory.CreateDirectory(folder);
        var temporary = Path.Combine(folder, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp");
        try
        {
            T result;
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                result = write(stream);
            }

            File.Move(temporary, full, overwrite: existing == ExistingFile.Overwrite);
            return result;
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
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
