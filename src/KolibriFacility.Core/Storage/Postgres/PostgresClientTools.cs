using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>A PostgreSQL client program (pg_dump, pg_restore) and its major version.</summary>
public sealed record PostgresClientTool(string Name, string Path, int MajorVersion)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Path} (PostgreSQL {MajorVersion})");
}

/// <summary>
/// Finds PostgreSQL's client programs for backups and restores (docs/PostgreSQL.md, Backups and restore). They are
/// not guaranteed to exist, so a search that finds none answers null with the reason, never throws. A program is
/// usable for a server when its major version is at least the server's (pg_dump refuses newer servers). Where it looks:
/// only <c>$env:KOLIBRIFACILITY_PG_BIN</c> when that is set; else PATH (Debian's pg_wrapper excepted: it may run
/// another version than its --version says, chosen by the port), then <c>/usr/lib/postgresql/&lt;N&gt;/bin</c>, newest first.
/// </summary>
public sealed partial class PostgresClientTools
{
    public const string FolderVariable = "KOLIBRIFACILITY_PG_BIN";
    private const string DebianRoot = "/usr/lib/postgresql";

    private readonly Func<string, string?> environment;

    public PostgresClientTools(Func<string, string?>? environment = null)
    {
        this.environment = environment ?? Environment.GetEnvironmentVariable;
    }

    /// <summary>The tools of this process's environment.</summary>
    public static PostgresClientTools Default { get; } = new();

    /// <summary>The newest usable <paramref name="name"/> for a server of major version <paramref name="serverMajor"/>, or null and why not.</summary>
    public (PostgresClientTool? Tool, string WhyNot) Find(string name, int serverMajor)
    {
        var found = Candidates(name).Select(path => (Path: path, Major: MajorVersionOf(path))).Where(c => c.Major is not null).ToList();
        var usable = found.Where(c => c.Major >= serverMajor).OrderByDescending(c => c.Major).FirstOrDefault();
        if (usable.Path is not null)
        {
            return (new PostgresClientTool(name, usable.Path, usable.Major!.Value), "");
        }

        var where = environment(FolderVariable) is { Length: > 0 } folder
            ? $"the folder {FolderVariable} names ('{folder}')"
            : $"PATH and {DebianRoot}/<version>/bin";
        var why = found.Count == 0
            ? $"no {name} was found in {where}"
            : string.Create(CultureInfo.InvariantCulture, $"the {name} found in {where} ({string.Join(", ", found.Select(f => $"{f.Path}: PostgreSQL {f.Major}"))}) is older than the server (PostgreSQL {serverMajor})");
        return (null, why);
    }

    private IEnumerable<string> Candidates(string name)
    {
        var file = OperatingSystem.IsWindows() ? name + ".exe" : name;
        if (environment(FolderVariable) is { Length: > 0 } folder)
        {
            var explicitPath = System.IO.Path.Combine(folder, file);
            if (File.Exists(explicitPath))
            {
                yield return System.IO.Path.GetFullPath(explicitPath);
            }

            yield break;
        }

        foreach (var directory in (environment("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = System.IO.Path.Combine(directory, file);
            if (File.Exists(path) && !IsDebianWrapper(path))
            {
                yield return System.IO.Path.GetFullPath(path);
            }
        }

        if (Directory.Exists(DebianRoot))
        {
            foreach (var version in Directory.EnumerateDirectories(DebianRoot))
            {
                var path = System.IO.Path.Combine(version, "bin", file);
                if (File.Exists(path))
                {
                    yield return path;
                }
            }
        }
    }

    private static bool IsDebianWrapper(string path)
    {
        try
        {
            return File.ResolveLinkTarget(path, returnFinalTarget: true) is { } target && target.Name == "pg_wrapper";
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The major version "<c>name --version</c>" prints ("pg_dump (PostgreSQL) 15.18 (Debian ...)"), or null when it does not run.</summary>
    private static int? MajorVersionOf(string path)
    {
        try
        {
            var start = new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            var match = VersionPattern().Match(output);
            return process.ExitCode == 0 && match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\) (\d+)")]
    private static partial Regex VersionPattern();
}
