using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// Runs Kolibri's own sync command (morango does the transfer; nothing here speaks the sync protocol) with
/// KOLIBRI_HOME set to the database's home (<see cref="KolibriSyncHome"/>), hands each output line to the caller on the caller's thread, and on
/// cancellation interrupts Kolibri (SIGINT, as Ctrl+C would) and kills it only if it does not stop in time.
/// </summary>
public static class KolibriSyncRunner
{
    private const int SigInt = 2;

    /// <summary>
    /// Runs the sync and describes it: Completed (exit code 0), Failed (with Kolibri's own message) or Cancelled
    /// (cancellation was requested; Kolibri was interrupted, and killed if it did not stop in time).
    /// </summary>
    /// <param name="onLine">Called on this thread for each line, until cancellation is requested.</param>
    public static SyncResult Run(KolibriSyncRequest request, Action<KolibriOutputLine>? onLine, CancellationToken cancellation)
    {
        var home = KolibriSyncHome.Of(request.DatabasePath, out var whyNot) ?? throw new ArgumentException(whyNot);
        if (!string.Equals(home, Path.GetFullPath(request.KolibriHome), StringComparison.Ordinal))
        {
            throw new ArgumentException($"Kolibri in '{request.KolibriHome}' would not sync '{request.DatabasePath}', whose KOLIBRI_HOME is '{home}'.");
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
            throw new KolibriCommandNotFoundException($"Could not start Kolibri's command '{request.Program}': {ex.Message}. {KolibriCommandLocator.HowToPoint}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        WriteStandardInput(process, request.StandardInputLine());

        var errors = new KolibriErrorCollector();
        var stage = SyncState.Pending;
        long? received = null, sent = null;
        var streamsOpen = 2;
        var interrupted = false;
        var killed = false;
        var killAt = DateTime.MaxValue;
        while (streamsOpen > 0)
        {
            // Not the caller's token: on cancellation this loop interrupts Kolibri and keeps draining its output until it
            // exits (killed after the grace period), which a wait that throws would skip.
            if (lines.TryTake(out var item, 100, CancellationToken.None))
            {
                if (item.Text is null)
                {
                    streamsOpen--;
                    continue;
                }

                var line = KolibriSyncOutput.Parse(item.Text, item.Error);
                errors.Add(line);
                if (line.State is { } state)
                {
                    stage = state is SyncState.Completed or SyncState.Cancelled ? stage : state;
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
        var status = interrupted ? SyncState.Cancelled : exitCode == 0 ? SyncState.Completed : SyncState.Failed;
        return new SyncResult
        {
            Facility = request.FacilityName,
            FacilityId = request.FacilityId,
            Server = request.BaseUrl,
            IsPortal = request.IsPortal,
            Project = request.Project,
            Registered = request.Registered,
            Started = started,
            Finished = finished,
            Direction = request.Direction,
            Status = status,
            LastStage = stage,
            ExitCode = exitCode,
            RecordsReceived = received,
            RecordsSent = sent,
            Message = status == SyncState.Completed ? null : errors.Message,
            KolibriLog = request.LogPath,
            CommandLine = request.DisplayCommandLine(),
            Database = request.DatabasePath,
        };
    }

    /// <summary>Writes the arguments line, if any, then closes standard input: with --noninteractive no prompt ever waits for a keyboard.</summary>
    private static void WriteStandardInput(Process process, string? line)
    {
        try
        {
            if (line is not null)
            {
                process.StandardInput.Write(line + "\n");
            }

            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // Kolibri exited before reading; its exit code and output tell why.
        }
    }

    private static long? Max(long? a, long? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private static ProcessStartInfo StartInfo(KolibriSyncRequest request)
    {
        var info = new ProcessStartInfo(request.Program.FileName)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            StandardInputEncoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), // Python reads it as UTF-8 (PYTHONIOENCODING)
            WorkingDirectory = request.KolibriHome,
        };
        foreach (var argument in request.Program.PrefixArguments.Concat(request.ProcessArguments()))
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
