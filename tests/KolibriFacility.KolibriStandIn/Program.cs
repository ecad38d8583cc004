// Stand-in for Kolibri's `kolibri` command, used only by the KolibriFacility tests.
//
// Scenario: $env:KOLIBRI_STANDIN_SCENARIO, else the first line of $KOLIBRI_HOME/kolibri-standin-scenario.txt,
// else "success". Scenarios:
//   success   a full sync (pull then push, as --no-push/--no-pull allow), exit 0
//   progress  like success with many "Receiving/Sending data (n/total, size)" lines, exit 0
//   kolibri-0.17.5  what real Kolibri 0.17.5 prints with --noninteractive into a pipe: every "Receiving/Sending data"
//             log line is followed by its click progress bar repeating the previous chunk's message (bare, no level)
//   failure   Kolibri's CommandError on standard error, exit 1
//   hang      starts a sync, then waits (at most 60 s) for SIGINT; on SIGINT prints KeyboardInterrupt, exit 130
// "manage shell -c <code>" reads the sync arguments as a JSON array from the first line of standard input, as
// Kolibri's shell runs the module's code (KolibriSyncRequest.ShellCode); the code must be exactly that.
// Each run appends JSON lines to $KOLIBRI_HOME/kolibri-standin-record.jsonl: the start (arguments, the sync
// arguments read from standard input, KOLIBRI_HOME, the portal URL variable, PYTHONUNBUFFERED, working folder,
// pid), "interrupted" and the exit.
// With "contact" on the scenario file's second line, it first fetches {baseurl}/api/morango/v1/morangoinfo/1/ as
// Kolibri does, but only from 127.0.0.1.
//
// "hold-lock <db.sqlite3>" holds the database's write lock as a busy Kolibri does (BEGIN IMMEDIATE), prints LOCKED,
// and rolls back when its standard input closes or after 60 s. It must be a separate process: two copies of SQLite
// in one process do not see each other's POSIX locks.
//
// "portal --state <folder> --token <t> [--project <name>] [--path /kdp/] [--require-sync] [--registered <facility id>]"
// runs the Kolibri Data Portal stand-in on 127.0.0.1 instead (under a path with --path): it writes its portal URL
// to <folder>/portal-url.txt, keeps <folder>/portal-state.json up to date (every request as received: method, path,
// query, content type, raw body, form fields in order; registrations, rejections) and stops when
// <folder>/portal-stop exists, or after 300 s.
using System.Runtime.InteropServices;
using System.Text.Json;
using KolibriFacility.Tests;

if (args.Length > 0 && args[0] == "portal")
{
    return RunPortal(args);
}

if (args.Length > 1 && args[0] == "hold-lock")
{
    return HoldLock(args[1]);
}

var home = Environment.GetEnvironmentVariable("KOLIBRI_HOME") ?? Directory.GetCurrentDirectory();
var scenarioFile = Path.Combine(home, "kolibri-standin-scenario.txt");
var scenarioLines = File.Exists(scenarioFile) ? File.ReadAllLines(scenarioFile) : [];
var scenario = Environment.GetEnvironmentVariable("KOLIBRI_STANDIN_SCENARIO")
    ?? scenarioLines.FirstOrDefault()?.Trim()
    ?? "success";
var contact = scenarioLines.Skip(1).Any(l => l.Trim() == "contact");
var recordPath = Path.Combine(home, "kolibri-standin-record.jsonl");

void Record(object entry)
{
    lock (recordPath)
    {
        File.AppendAllText(recordPath, JsonSerializer.Serialize(entry) + "\n");
    }
}

string[]? stdinArgs = null;
if (args.Length == 4 && args[0] == "manage" && args[1] == "shell" && args[2] == "-c" && args[3] == KolibriFacility.Core.Portal.KolibriSyncRequest.ShellCode)
{
    stdinArgs = JsonSerializer.Deserialize<string[]>(Console.In.ReadLine() ?? "[]");
}

var argv = args;
args = stdinArgs is null ? args : ["manage", .. stdinArgs];
Record(new
{
    @event = "start",
    pid = Environment.ProcessId,
    args = argv,
    syncArgs = args,
    scenario,
    kolibriHome = Environment.GetEnvironmentVariable("KOLIBRI_HOME"),
    portalUrl = Environment.GetEnvironmentVariable("KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL"),
    pythonUnbuffered = Environment.GetEnvironmentVariable("PYTHONUNBUFFERED"),
    cwd = Directory.GetCurrentDirectory(),
});

string Option(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : args.FirstOrDefault(a => a.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? "";
}

var pull = !args.Contains("--no-pull");
var push = !args.Contains("--no-push");
var baseUrl = Option("--baseurl");

void Log(string message, string level = "INFO")
{
    // Kolibri's console format: "%(levelname)-8s %(asctime)s %(message)s"
    Console.Out.WriteLine($"{level,-8} {DateTime.Now:yyyy-MM-dd HH:mm:ss,fff} {message}");
    Console.Out.Flush();
}

int Exit(int code)
{
    Record(new { @event = "exit", code });
    return code;
}

if (args.Length < 2 || args[0] != "manage" || args[1] != "sync")
{
    Console.Error.WriteLine($"stand-in: expected 'manage sync ...', got '{string.Join(' ', args)}'");
    return Exit(2);
}

if (contact && Uri.TryCreate(baseUrl, UriKind.Absolute, out var server) && server.Host == "127.0.0.1")
{
    using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
    var info = http.GetStringAsync(new Uri(server, "/api/morango/v1/morangoinfo/1/")).GetAwaiter().GetResult();
    Record(new { @event = "contacted", info });
}

Log("Syncing has been initiated (this may take a while)...");
switch (scenario)
{
    case "failure":
        Console.Error.WriteLine("CommandError: Device can not sync with itself. Please recheck base URL and try again.");
        return Exit(1);

    case "hang":
    {
        using var interrupted = new ManualResetEventSlim();
        using var registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            interrupted.Set();
        });
        Log("Creating pull transfer session");
        Log("Remotely preparing data");
        Record(new { @event = "waiting" });
        if (interrupted.Wait(TimeSpan.FromSeconds(60)))
        {
            Record(new { @event = "interrupted" });
            Console.Error.WriteLine("KeyboardInterrupt");
            return Exit(130);
        }

        return Exit(3);
    }

    case "kolibri-0.17.5":
    {
        // Observed (kolibri manage sync of 285 records in chunks of 200): log line, then the bar's stale label.
        var previous = "";
        foreach (var (verb, done, total) in new[] { ("Receiving", 0, 40), ("Receiving", 40, 40), ("Sending", 0, 285), ("Sending", 200, 285), ("Sending", 285, 285) })
        {
            var message = FormattableString.Invariant($"{verb} data ({done}/{total}, {done * 0.17:0.00}KB)");
            Log(message);
            Console.Out.WriteLine(previous.Length > 0 && previous.StartsWith(verb, StringComparison.Ordinal) ? previous : message);
            previous = message;
        }

        return Exit(0);
    }

    default:
        var steps = scenario == "progress" ? 5 : 1;
        if (pull)
        {
            Log("Creating pull transfer session");
            Log("Remotely preparing data");
            for (var i = 1; i <= steps; i++)
            {
                Log($"Receiving data ({i * 40 / steps}/40, {i * 12.5 / steps:0.0} KB)");
            }

            Log("Locally integrating received data");
            Log("Completed pull transfer session");
        }

        if (push)
        {
            Log("Creating push transfer session");
            Log("Locally preparing data to send");
            for (var i = 1; i <= steps; i++)
            {
                Log($"Sending data ({i * 120 / steps}/120, {i * 48.2 / steps:0.0} KB)");
            }

            Log("Remotely integrating data");
            Log("Completed push transfer session");
        }

        Log("Syncing has been completed.");
        return Exit(0);
}

static int RunPortal(string[] args)
{
    string Value(string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    var state = Value("--state", Directory.GetCurrentDirectory());
    using var portal = PortalStandIn.UnderPath(Value("--path", "/"), Value("--project", "Stand-in Project"), Value("--token", ""));
    portal.RequireSyncBeforeRegistration = args.Contains("--require-sync");
    var registered = Value("--registered", "");
    if (registered.Length > 0)
    {
        portal.RegisteredFacilities.Add(registered);
    }

    void Save()
    {
        var (requests, registrations, rejections) = portal.Snapshot();
        var json = JsonSerializer.Serialize(new
        {
            url = portal.PortalUrl,
            paths = requests.Select(r => r.Method + " " + r.Path).ToList(),
            requests = requests.Select(r => new { method = r.Method, path = r.Path, query = r.Query, contentType = r.ContentType, body = r.Body, formKeys = r.Form.Keys.ToList(), form = r.Form }).ToList(),
            registrations,
            rejections,
        });
        File.WriteAllText(Path.Combine(state, "portal-state.json.tmp"), json);
        File.Move(Path.Combine(state, "portal-state.json.tmp"), Path.Combine(state, "portal-state.json"), overwrite: true);
    }

    Save();
    File.WriteAllText(Path.Combine(state, "portal-url.txt"), portal.PortalUrl);
    var until = DateTime.UtcNow.AddSeconds(300);
    while (!File.Exists(Path.Combine(state, "portal-stop")) && DateTime.UtcNow < until)
    {
        Thread.Sleep(100);
        Save();
    }

    Save();
    return 0;
}

static int HoldLock(string databasePath)
{
    using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={databasePath};Pooling=False");
    connection.Open();
    using (var begin = connection.CreateCommand())
    {
        begin.CommandText = "BEGIN IMMEDIATE";
        begin.ExecuteNonQuery();
    }

    Console.Out.WriteLine("LOCKED");
    Console.Out.Flush();
    var released = Task.Run(() => Console.In.ReadToEnd());
    released.Wait(TimeSpan.FromSeconds(60));
    using (var rollback = connection.CreateCommand())
    {
        rollback.CommandText = "ROLLBACK";
        rollback.ExecuteNonQuery();
    }

    return 0;
}
