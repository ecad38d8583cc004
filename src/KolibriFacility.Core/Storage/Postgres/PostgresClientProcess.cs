using System.Diagnostics;
using System.Globalization;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>What a PostgreSQL client program printed and how it ended; its standard error has the password masked.</summary>
internal sealed record PostgresClientOutput(int ExitCode, string Output, string Error);

/// <summary>
/// Runs pg_dump or pg_restore against a database. The connection goes in the child's environment only (PGHOST, PGPORT,
/// PGUSER, PGPASSWORD: never on its command line, where other users could read it); every other PG* variable of this
/// process is removed, so that a PGSERVICE or PGOPTIONS of the admin's shell cannot point it elsewhere. Cancelling kills it.
/// While it runs, <c>running</c> is told the time elapsed a few times a second (a progress display for a long pg_dump).
/// </summary>
internal static class PostgresClientProcess
{
    private const string Mask = "********";
    private static readonly TimeSpan RunningInterval = TimeSpan.FromMilliseconds(250);

    public static PostgresClientOutput Run(PostgresClientTool tool, IEnumerable<string> arguments, PostgresSettings settings,
        IReadOnlyDictionary<string, string?>? extraEnvironment, CancellationToken cancellation, Action<TimeSpan>? running = null)
    {
        var start = new ProcessStartInfo(tool.Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("PG", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in settings.ClientEnvironment().Concat(extraEnvironment ?? new Dictionary<string, string?>()))
        {
            if (value is not null)
            {
                start.Environment[name] = value;
            }
        }

        start.Environment["LC_MESSAGES"] = "C"; // English messages, as the module's own
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {tool.Path}.");
        var output = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var error = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using (cancellation.Register(() => Kill(process)))
        {
            running?.Invoke(clock.Elapsed);
            while (!process.WaitForExit(RunningInterval))
            {
                running?.Invoke(clock.Elapsed);
            }

            process.WaitForExit(); // after the timed wait: also until its output is read to the end
        }

        cancellation.ThrowIfCancellationRequested();
        return new PostgresClientOutput(process.ExitCode, output.Result, MaskSecret(error.Result, settings.Password));
    }

    /// <summary>The last lines of what a program printed, the password masked: what a message quotes.</summary>
    public static string Quote(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "it printed nothing" : string.Join(" | ", lines.TakeLast(8));
    }

    public static string ExitCode(PostgresClientOutput output) => output.ExitCode.ToString(CultureInfo.InvariantCulture);

    private static string MaskSecret(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, Mask, StringComparison.Ordinal);

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It has ended already.
        }
    }
}
