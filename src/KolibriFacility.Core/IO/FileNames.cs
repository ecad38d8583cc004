using System.Globalization;
using System.Text;

namespace KolibriFacility.Core.IO;

/// <summary>
/// File names made from data (facility names): Kolibri's names as far as every file system accepts them, visible
/// (no leading dot), on one line, and short enough for the temporary name written beside them.
/// </summary>
public static class FileNames
{
    /// <summary>At most this many UTF-8 bytes: 255 is the limit of ext4, APFS and NTFS (in UTF-16 units), with room for a suffix.</summary>
    public const int MaxBytes = 200;

    private static readonly HashSet<char> Invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// <paramref name="data"/> (shortened if needed) followed by <paramref name="suffix"/> (kept whole): characters no
    /// file system accepts, control and invisible formatting characters become '_', a leading dot or space becomes
    /// '_' (no hidden files), and Windows device names get a '_'.
    /// </summary>
    public static string Safe(string data, string suffix = "")
    {
        var name = Clean(data);
        var room = MaxBytes - Encoding.UTF8.GetByteCount(suffix);
        name = Shorten(name, room);
        if (name.Length == 0 || name[0] is '.' or ' ')
        {
            name = "_" + (name.Length == 0 ? "" : name[1..]);
        }

        var stem = (name + suffix).Split('.')[0].TrimEnd(' ');
        if (WindowsDeviceNames.Contains(stem))
        {
            name = "_" + name;
        }

        return (name + suffix).TrimEnd('.', ' ');
    }

    private static string Clean(string data)
    {
        var builder = new StringBuilder(data.Length);
        foreach (var c in data)
        {
            var category = char.GetUnicodeCategory(c);
            var unsafeChar = Invalid.Contains(c) || char.IsControl(c)
                || category is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;
            builder.Append(unsafeChar ? '_' : c);
        }

        return builder.ToString();
    }

    /// <summary>Cuts whole text elements (never half a surrogate pair or an accent from its letter) until the UTF-8 bytes fit.</summary>
    private static string Shorten(string name, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(name) <= maxBytes)
        {
            return name;
        }

        var builder = new StringBuilder();
        var bytes = 0;
        var elements = StringInfo.GetTextElementEnumerator(name);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var size = Encoding.UTF8.GetByteCount(element);
            if (bytes + size > maxBytes)
            {
                break;
            }

            builder.Append(element);
            bytes += size;
        }

        return builder.ToString();
    }
}
