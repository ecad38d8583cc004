namespace KolibriFacility.Core.IO;

/// <summary>File names made from data (facility names): Kolibri's names as far as every file system accepts them.</summary>
public static class FileNames
{
    private static readonly HashSet<char> Invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();

    /// <summary>Kolibri's file names use the facility name as is; only characters no file system accepts are replaced.</summary>
    public static string Safe(string name) => new(name.Select(c => Invalid.Contains(c) ? '_' : c).ToArray());
}
