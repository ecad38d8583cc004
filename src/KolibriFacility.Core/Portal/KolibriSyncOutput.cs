using System.Globalization;
using System.Text.RegularExpressions;

namespace KolibriFacility.Core.Portal;

/// <summary>One line Kolibri printed, understood.</summary>
public sealed record KolibriOutputLine(
    string Text,
    bool FromStandardError,
    string? Level,
    string Message,
    SyncState? State,
    long? RecordsDone,
    long? RecordsTotal,
    string? Transferred);

/// <summary>
/// Reads the console output of `kolibri manage sync --noninteractive`: Kolibri's log lines
/// ("INFO     2025-01-31 10:00:00,123 Receiving data (40/120, 1.2 MB)", colour codes stripped) mapped to the
/// sync_state their message belongs to (messages from kolibri/core/auth/management/commands/sync.py), and the
/// error Kolibri reports when it fails.
/// </summary>
public static partial class KolibriSyncOutput
{
    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    [GeneratedRegex(@"^(?<level>DEBUG|INFO|WARNING|ERROR|CRITICAL)\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:,\d{3})?\s+(?:(?<logger>[a-z_][\w.]*\.[\w.]+)\s+)?(?<message>.*)$")]
    private static partial Regex LogLine();

    [GeneratedRegex(@"^(?<verb>Receiving|Sending) data \((?<done>\d+)/(?<total>\d+|None), (?<size>[^)]*)\)$")]
    private static partial Regex TransferLine();

    public static KolibriOutputLine Parse(string raw, bool fromStandardError)
    {
        // tqdm-style redraws: the visible text is what follows the last carriage return.
        var text = AnsiEscape().Replace(raw, "");
        var carriage = text.TrimEnd('\r').LastIndexOf('\r');
        text = (carriage >= 0 ? text[(carriage + 1)..] : text).TrimEnd();

        string? level = null;
        var message = text;
        var log = LogLine().Match(text);
        if (log.Success)
        {
            level = log.Groups["level"].Value;
            message = log.Groups["message"].Value.Trim();
        }

        var transfer = TransferLine().Match(message);
        if (transfer.Success)
        {
            return new KolibriOutputLine(text, fromStandardError, level, message,
                transfer.Groups["verb"].Value == "Receiving" ? SyncState.Pulling : SyncState.Pushing,
                long.Parse(transfer.Groups["done"].Value, CultureInfo.InvariantCulture),
                transfer.Groups["total"].Value == "None" ? null : long.Parse(transfer.Groups["total"].Value, CultureInfo.InvariantCulture),
                transfer.Groups["size"].Value);
        }

        return new KolibriOutputLine(text, fromStandardError, level, message, StateOf(message), null, null, null);
    }

    private static SyncState? StateOf(string message) => message switch
    {
        _ when message.StartsWith("Syncing has been initiated", StringComparison.Ordinal) => SyncState.SessionCreation,
        "Creating pull transfer session" or "Creating push transfer session" or "Creating transfer session" => SyncState.SessionCreation,
        "Remotely preparing data" => SyncState.RemoteQueuing,
        "Locally integrating received data" => SyncState.LocalDequeuing,
        "Locally preparing data to send" => SyncState.LocalQueuing,
        "Remotely integrating data" => SyncState.RemoteDequeuing,
        "Syncing has been completed." => SyncState.Completed,
        "Syncing has been cancelled." => SyncState.Cancelled,
        _ => null,
    };
}

/// <summary>Collects what Kolibri said went wrong, preferring its own CommandError text.</summary>
public sealed class KolibriErrorCollector
{
    private string? commandError;
    private string? lastErrorLog;
    private string? lastStandardError;

    public void Add(KolibriOutputLine line)
    {
        if (line.Text.Length == 0)
        {
            return;
        }

        if (line.Message.StartsWith("CommandError: ", StringComparison.Ordinal))
        {
            commandError = line.Message["CommandError: ".Length..].Trim();
        }
        else if (line.Level is "ERROR" or "CRITICAL")
        {
            lastErrorLog = line.Message;
        }
        else if (line.FromStandardError && line.Level is null)
        {
            lastStandardError = line.Text.Trim();
        }
    }

    /// <summary>Kolibri's own words: the CommandError, else the last ERROR log message, else the last line of standard error.</summary>
    public string? Message => commandError ?? lastErrorLog ?? lastStandardError;
}
