using System.Diagnostics;
using System.Globalization;

namespace KolibriFacility.Core.Backups;

/// <summary>
/// Whether a Kolibri server runs on a KOLIBRI_HOME, as Kolibri itself tells (kolibri/utils/server.py, get_status):
/// its server.pid names a process that is alive. Kolibri removes the file when it stops; a file left by a killed
/// server names a process that is gone (or, rarely, a reused pid: then the answer errs on the safe side).
/// </summary>
public static class KolibriServer
{
    public const string PidFileName = "server.pid";

    /// <summary>The pid of the Kolibri server running on <paramref name="kolibriHome"/>, or null.</summary>
    public static int? RunningPid(string kolibriHome)
    {
        var file = Path.Combine(kolibriHome, PidFileName);
        string? first;
        try
        {
            first = File.Exists(file) ? File.ReadLines(file).FirstOrDefault() : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        if (!int.TryParse(first?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) || pid <= 0)
        {
            return null;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (ArgumentException)
        {
            return null; // no such process
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
