using System.Runtime.InteropServices;
using System.Text;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// Finds Kolibri's command: -KolibriCommand, else $env:KOLIBRI_COMMAND, else "kolibri" on PATH. A value is either
/// the path of an executable (spaces allowed) or a command line such as "python3 -m kolibri".
/// </summary>
public static class KolibriCommandLocator
{
    public const string EnvironmentVariable = "KOLIBRI_COMMAND";
    public const string DefaultName = "kolibri";

    public const string HowToPoint =
        "Point the module at Kolibri with -KolibriCommand or $env:KOLIBRI_COMMAND, for example: " +
        "Linux .deb or Raspberry Pi (kolibri-server) '/usr/bin/kolibri'; pip install --user '~/.local/bin/kolibri' or 'python3 -m kolibri'; " +
        "Windows 'py -m kolibri' or the kolibri.exe in your Python's Scripts folder. See Get-Help Invoke-PortalSync -Full.";

    public static KolibriProgram Find(string? explicitCommand, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(explicitCommand))
        {
            return Parse(explicitCommand, "-KolibriCommand", environment);
        }

        var fromEnvironment = environment(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Parse(fromEnvironment, "$env:" + EnvironmentVariable, environment);
        }

        var onPath = SearchPath(DefaultName, environment);
        return onPath is not null
            ? new KolibriProgram(onPath, [], "PATH")
            : throw new KolibriCommandNotFoundException($"Kolibri's '{DefaultName}' command is not on PATH, and neither -KolibriCommand nor $env:{EnvironmentVariable} is set. {HowToPoint}");
    }

    private static KolibriProgram Parse(string value, string origin, Func<string, string?> environment)
    {
        var trimmed = value.Trim();
        var expanded = ExpandHome(trimmed.Trim('"', '\''));
        if (File.Exists(expanded))
        {
            return new KolibriProgram(Path.GetFullPath(expanded), [], origin);
        }

        var parts = SplitCommandLine(trimmed);
        var program = ExpandHome(parts[0]);
        string? resolved = null;
        if (Path.IsPathRooted(program) || program.Contains('/', StringComparison.Ordinal) || program.Contains('\\', StringComparison.Ordinal))
        {
            resolved = File.Exists(program) ? Path.GetFullPath(program) : null;
        }
        else
        {
            resolved = SearchPath(program, environment);
        }

        return resolved is not null
            ? new KolibriProgram(resolved, parts.Skip(1).ToList(), origin)
            : throw new KolibriCommandNotFoundException($"The Kolibri command '{value}' from {origin} was not found: '{program}' is not a file{(Path.IsPathRooted(program) ? "" : " and not on PATH")}. {HowToPoint}");
    }

    /// <summary>Splits a command line on white space; "double" or 'single' quotes group (no escapes, so Windows paths survive).</summary>
    public static IReadOnlyList<string> SplitCommandLine(string commandLine)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        var inToken = false;
        foreach (var c in commandLine)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inToken = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inToken)
                {
                    parts.Add(current.ToString());
                    current.Clear();
                    inToken = false;
                }
            }
            else
            {
                current.Append(c);
                inToken = true;
            }
        }

        if (inToken)
        {
            parts.Add(current.ToString());
        }

        if (parts.Count == 0)
        {
            throw new KolibriCommandNotFoundException($"The Kolibri command is empty. {HowToPoint}");
        }

        return parts;
    }

    /// <summary>The first executable file named <paramref name="name"/> in PATH (with PATHEXT extensions on Windows).</summary>
    public static string? SearchPath(string name, Func<string, string?> environment)
    {
        var path = environment("PATH") ?? "";
        var windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        var extensions = windows && !Path.HasExtension(name)
            ? (environment("PATHEXT") ?? ".COM;.EXE;.BAT;.CMD").Split(';', StringSplitOptions.RemoveEmptyEntries)
            : [""];
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var extension in extensions)
            {
                string candidate;
                try
                {
                    candidate = Path.Combine(folder.Trim('"'), name + extension);
                }
                catch (ArgumentException)
                {
                    continue;
                }

                if (File.Exists(candidate) && (OperatingSystem.IsWindows() || IsExecutable(candidate)))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static bool IsExecutable(string file) =>
        (File.GetUnixFileMode(file) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

    private static string ExpandHome(string path) =>
        path == "~" || path.StartsWith("~/", StringComparison.Ordinal)
            ? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..]
            : path;
}
