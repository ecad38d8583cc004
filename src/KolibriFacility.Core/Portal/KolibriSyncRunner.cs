using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace KolibriFacility.Core.Portal;

/// <summary>What happened to one `kolibri manage sync` process.</summary>
public sealed record KolibriRunOutcome(
    int? ExitCode,
    bool Cancelled,
    bool Killed,
    SyncState LastStage,
    bool ReportedCompleted,
    string? ErrorMessage,
    long? RecordsReceived,
    long? RecordsSent,
    DateTimeOffset Started,
    DateTimeOffset Finished)
{
    public bool Succeeded => !Cancelled && ExitCode == 0;
}

/// <summary>
/// Runs Kolibri's own sync command (morango does the transfer; nothing here speaks the sync protocol) with
/// KOLIBRI_HOME set to the database's folder, hands each output line to the caller on the caller's thread, and on
/// cancellation interrupts Kolibri (SIGINT, as Ctrl+C would) and kills it only if it does not stop in time.
/// </summary>
public sealed class KolibriSyncRunner
{
    private const int SigInt = 2;

    /// <summary>Kolibri always uses KOLIBRI_HOME/db.sqlite3, so only a file with that name can be synced by pointing KOLIBRI_HOME at its folder.</summary>
    public static bool IsKolibriHomeDatabase(string databasePath) =>
        string.Equals(Path.GetFileName(databasePath), "db.sqlite3", StringComparison.Ordinal);

    /// <param name="onLine">Called on this thread for each line, until cancellation is requested.</param>
    public KolibriRunOutcome Run(KolibriSyncRequest request, Action<KolibriOutputLine>? onLine, CancellationToken cancellation)
    {
        if (!IsKolibriHomeDatabase(request.DatabasePath))
        {
            throw new ArgumentException($"Kolibri syncs KOLIBRI_HOME/db.sqlite3; '{request.DatabasePath}' has another name, so Kolibri would sync a different file. Rename or copy it to db.sqlite3 in its own folder.");
        }

        cancellation.ThrowIfCancellationRequested();
        using var process = new Process { StartInfo = StartInfo(request), EnableRaisingEvents = true };
        using var lines = new BlockingCollection<(string? Text, bool Error)>();
        process.OutputDataReceived += (_, e) => lines.Add((e.Data, false));
        process.ErrorDataReceived += (_, e) => lines.Add((e.Data, true));

        var started = DateTimeOffset.Now;
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new KolibriCommandNotFoundException($"Could not start Kolibri's command '{request.Command}': {ex.Message}. {KolibriCommandLocator.HowToPoint}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close(); // --noninteractive, and never a prompt waiting for a keyboard

        var errors = new KolibriErrorCollector();
        var stage = SyncState.Pending;
        var completed = false;
        long? received = null, sent = null;
        var streamsOpen = 2;
        var interrupted = false;
        var killed = false;
        var killAt = DateTime.MaxValue;
        while (streamsOpen > 0)
        {
            if (lines.TryTake(out var item, 100))
            {
                if (item.Text is null)
                {
                    streamsOpen--;
                    continue;
                }

                var line = KolibriSyncOutput.Parse(request.HidePasswordIn(item.Text), item.Error);
                errors.Add(line);
                if (line.State is { } state)
                {
                    stage = state is SyncState.Completed or SyncState.Cancelled ? stage : state;
                    completed |= state == SyncState.Completed;
                }

                // The highest count, not the last: after each of its "Receiving/Sending data (n/total)" log lines Kolibri's
                // click progress bar prints the previous chunk's message again, so the last such line lags behind.
                if (line.State == SyncState.Pulling)
                {
                    received = Max(received, line.RecordsDone);
                }
                else if (line.State == SyncState.Pushing)
                {
                    sent = Max(sent, line.RecordsDone);
                }

                if (!cancellation.IsCancellationRequested)
                {
                    onLine?.Invoke(line);
                }
            }

            if (cancellation.IsCancellationRequested && !interrupted)
            {
                interrupted = true;
                killAt = DateTime.UtcNow + request.StopGracePeriod;
                if (!Interrupt(process))
                {
                    killAt = DateTime.UtcNow;
                }
            }

            if (interrupted && !killed && DateTime.UtcNow >= killAt && !HasExited(process))
            {
                killed = true;
                Kill(process);
            }

            if (killed && DateTime.UtcNow >= killAt + TimeSpan.FromSeconds(10))
            {
                break; // the process is gone but something else still holds its output pipes
            }
        }

        process.WaitForExit(killed ? 10_000 : Timeout.Infinite);
        var finished = DateTimeOffset.Now;
        int? exitCode = HasExited(process) ? process.ExitCode : null;
        return new KolibriRunOutcome(exitCode, interrupted, killed, stage, completed, errors.Message, received, sent, started, finished);
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static ProcessStartInfo StartInfo(KolibriSyncRequest request)
    {
        var info = new ProcessStartInfo(request.Command.FileName)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = request.KolibriHome,
        };
        foreach (var argument in request.Command.PrefixArguments.Concat(request.Arguments()))
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["KOLIBRI_HOME"] = request.KolibriHome;
        info.Environment["PYTHONUNBUFFERED"] = "1"; // lines as they happen, not when Python's buffer fills
        info.Environment["PYTHONIOENCODING"] = "utf-8";
        if (request.IsPortal)
        {
            // Kolibri treats --baseurl as the portal only when it equals its own setting; make them agree.
            info.Environment[PortalUrls.EnvironmentVariable] = request.BaseUrl;
        }

        return info;
    }

    /// <summary>Asks Kolibri to stop as Ctrl+C would (Python raises KeyboardInterrupt; the sync session can be resumed). False when not possible.</summary>
    private static bool Interrupt(Process process)
    {
        if (HasExited(process))
        {
            return true;
        }

        if (OperatingSystem.IsWindows())
        {
            return false; // no signal for a process without our console; it is killed instead
        }

        try
        {
            return SendSignal(process.Id, SigInt) == 0;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
        }
        catch (Win32Exception)
        {
        }
    }

    private static bool HasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    // Plain int arguments are blittable, so DllImport needs neither unsafe code nor marshalling stubs.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
