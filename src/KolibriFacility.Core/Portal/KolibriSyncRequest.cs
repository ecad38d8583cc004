using System.Globalization;
using System.Text.Json;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// One run of Kolibri's sync command: what to sync, with whom and how, and the exact process it takes.
/// Without a password the process is `kolibri manage sync ...`, the call Kolibri's SYNC button makes. With a
/// password (peer syncs) the same sync arguments travel on standard input to Kolibri's own management shell,
/// which runs Kolibri's sync command with them in-process: a password on the command line would be readable by
/// every local user (the process list, /proc) and would be written to Kolibri's log ("Invoking command ...").
/// </summary>
public sealed class KolibriSyncRequest
{
    public const int KolibriUiChunkSize = 200;
    public const string PasswordMask = "********";

    /// <summary>
    /// Django's `shell -c` code: runs Kolibri's sync command with the JSON argument list read from the first line of
    /// standard input (argparse parses it exactly as it parses a command line). Contains no secret.
    /// </summary>
    public const string ShellCode = "import json, sys; from django.core.management import call_command; call_command(*json.loads(sys.stdin.readline()))";

    public required KolibriProgram Program { get; init; }
    /// <summary>The database Kolibri must sync: a db.sqlite3, or a PostgreSQL-backed KOLIBRI_HOME folder (<see cref="KolibriSyncHome"/>).</summary>
    public required string DatabasePath { get; init; }
    /// <summary>The KOLIBRI_HOME Kolibri runs with: <see cref="KolibriSyncHome.Of"/> of <see cref="DatabasePath"/>.</summary>
    public required string KolibriHome { get; init; }
    public required string FacilityId { get; init; }
    /// <summary>The facility's name, for the result and messages.</summary>
    public required string FacilityName { get; init; }
    /// <summary>The server's base URL (the portal URL, exactly as Kolibri's setting, or a peer Kolibri).</summary>
    public required string BaseUrl { get; init; }
    /// <summary>True for the Kolibri Data Portal: the child gets KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL = BaseUrl so Kolibri recognises it as the portal.</summary>
    public bool IsPortal { get; init; }
    public SyncDirection Direction { get; init; } = SyncDirection.PullAndPush;
    /// <summary>The facility's registration flag as the result reports it (registration happens before the sync).</summary>
    public bool Registered { get; init; }
    /// <summary>The portal project the facility was registered with by this command, when it was.</summary>
    public string? Project { get; init; }
    /// <summary>A superuser/admin of the peer server (peer syncs only).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
    public int ChunkSize { get; init; } = KolibriUiChunkSize;
    /// <summary>How long Kolibri gets to stop after an interrupt before it is killed.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Kolibri's log file for this home (KOLIBRI_HOME/logs/kolibri.txt).</summary>
    public string LogPath => Path.Combine(KolibriHome, "logs", "kolibri.txt");

    /// <summary>True when the sync arguments go on standard input (a password is involved), not on the command line.</summary>
    public bool ArgumentsOnStandardInput => Password is not null;

    /// <summary>
    /// The sync command's own arguments, starting with "sync". Values that may begin with '-' use the
    /// --option=value form, which argparse never mistakes for another option.
    /// </summary>
    public IReadOnlyList<string> SyncArguments() => BuildSyncArguments(Password);

    /// <summary>The process arguments after the program's own prefix. Never contains the password.</summary>
    public IReadOnlyList<string> ProcessArguments() =>
        ArgumentsOnStandardInput ? ["manage", "shell", "-c", ShellCode] : ["manage", .. SyncArguments()];

    /// <summary>The line written to the process's standard input (the sync arguments as a JSON array), or null.</summary>
    public string? StandardInputLine() =>
        ArgumentsOnStandardInput ? JsonSerializer.Serialize(SyncArguments()) : null;

    /// <summary>The command for display: the sync Kolibri runs, the password masked.</summary>
    public string DisplayCommandLine()
    {
        var sync = Program + " manage " + string.Join(' ', BuildSyncArguments(Password is null ? null : PasswordMask).Select(Quote));
        return ArgumentsOnStandardInput ? sync + " (through 'manage shell', arguments on standard input)" : sync;
    }

    private List<string> BuildSyncArguments(string? password)
    {
        var arguments = new List<string>
        {
            "sync",
            "--facility", FacilityId,
            "--baseurl", BaseUrl,
            "--chunk-size", ChunkSize.ToString(CultureInfo.InvariantCulture),
            "--noninteractive",
        };
        if (Direction == SyncDirection.PullOnly)
        {
            arguments.Add("--no-push");
        }
        else if (Direction == SyncDirection.PushOnly)
        {
            arguments.Add("--no-pull");
        }

        if (Username is not null)
        {
            arguments.Add("--username=" + Username);
        }

        if (password is not null)
        {
            arguments.Add("--password=" + password);
        }

        return arguments;
    }

    private static string Quote(string argument) => argument.Contains(' ', StringComparison.Ordinal) ? "\"" + argument + "\"" : argument;
}
