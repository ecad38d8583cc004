namespace KolibriFacility.Core.Portal;

/// <summary>
/// Reads one value from Kolibri's options.ini (configobj format: [Section] headers, "KEY = value" lines, '#' and ';'
/// comments, optional quotes). Written by hand: it is a dozen lines, and an INI package would not follow configobj's
/// quoting and inline comments any better.
/// </summary>
public static class KolibriOptionsFile
{
    /// <summary>The value, or null when the file, section or key is missing.</summary>
    public static string? Read(string path, string section, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        string? current = null;
        string? found = null;
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = line.Trim('[', ']', ' ');
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !string.Equals(current, section, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(line[..equals].Trim(), key, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            found = Unquote(line[(equals + 1)..].Trim());
        }

        return found;
    }

    private static string Unquote(string value)
    {
        if (value.Length >= 2 && (value[0] is '"' or '\'') )
        {
            var end = value.IndexOf(value[0], 1);
            if (end > 0)
            {
                return value[1..end];
            }
        }

        var comment = value.IndexOf(" #", StringComparison.Ordinal);
        return (comment >= 0 ? value[..comment] : value).Trim();
    }
}
