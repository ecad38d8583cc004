using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace KolibriFacility.Tests;

/// <summary>
/// A private PostgreSQL cluster for the tests (docs/PostgreSQL.md, Tests): initdb into a temporary folder, the server
/// on a free 127.0.0.1 port with its socket in that folder, the PostgreSQL fixture (kolibri-small.pgdump) restored
/// once into a template database, and a fresh database per test copied from the template (CREATE DATABASE ... TEMPLATE
/// takes well under a second; a restore takes seconds). The server runs as user postgres when the tests run as root
/// (initdb refuses root). <see cref="Dispose"/> stops it and removes the folder; so does the process exit, should a
/// test run end without disposing. When the server cannot be started the constructor throws with the reason, so every
/// test that needs it fails saying why: none is skipped.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "kolibri";
    public const string Password = "kolibripw";
    public const string TemplateDatabase = "kolibri_template";

    private static int counter;
    private readonly string bin;
    private readonly string dataFolder;
    private readonly object gate = new();
    private bool stopped;
    private PostgresTestDatabase? readOnlyDatabase;

    public PostgresServer()
    {
        bin = FindBinaries();
        Folder = Path.Combine(Path.GetTempPath(), "kf-pg-" + Guid.NewGuid().ToString("N")[..10]);
        dataFolder = Path.Combine(Folder, "data");
        Directory.CreateDirectory(Folder);
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
        try
        {
            Start();
            Admin($"CREATE DATABASE {TemplateDatabase}");
            Run(Path.Combine(bin, "pg_restore"), ["--no-owner", "--exit-on-error", "-h", "127.0.0.1", "-p", Port.ToString(CultureInfo.InvariantCulture),
                "-U", User, "-d", TemplateDatabase, Path.Combine(FixtureFolder, "kolibri-small.pgdump")], asServer: false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The Kolibri 0.17.5 PostgreSQL fixture (../shared/kolibri/fixtures/kolibri-0.17.5-postgres).</summary>
    public static string FixtureFolder { get; } = Path.GetFullPath(Path.Combine(TestPaths.FixtureFolder, "..", "kolibri-0.17.5-postgres"));

    public static string Fixture(string fileName) => Path.Combine(FixtureFolder, fileName);

    public string Folder { get; }

    public int Port { get; private set; }

    public string Host => "127.0.0.1";

    /// <summary>A connection string for a database of this server (with the password: for the tests' own use only).</summary>
    public string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host={Host};Port={Port};Database={database};Username={User};Password={Password}");

    /// <summary>One database holding the fixture for tests that only read, made at first use and kept for the run.</summary>
    public PostgresTestDatabase ReadOnlyDatabase
    {
        get
        {
            lock (gate)
            {
                return readOnlyDatabase ??= CreateDatabase();
            }
        }
    }

    /// <summary>A new database holding the fixture, dropped when disposed.</summary>
    public PostgresTestDatabase CreateDatabase()
    {
        var name = "kf_test_" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_" + Interlocked.Increment(ref counter).ToString(CultureInfo.InvariantCulture);
        // CREATE DATABASE ... TEMPLATE needs the template free of other sessions: one copy at a time.
        lock (gate)
        {
            Admin($"CREATE DATABASE {name} TEMPLATE {TemplateDatabase}");
        }

        return new PostgresTestDatabase(this, name);
    }

    /// <summary>Runs SQL as the cluster's superuser (kolibri) in a database, returning psql's unaligned output.</summary>
    public string Sql(string database, string sql) =>
        Run(Path.Combine(bin, "psql"), ["-X", "-v", "ON_ERROR_STOP=1", "-At", "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", User, "-d", database, "-c", sql], asServer: false);

    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        readOnlyDatabase?.Home.Dispose();
        Stop();
    }

    private void Admin(string sql) => Sql("postgres", sql);

    private void Start()
    {
        if (IsRoot)
        {
            Run("chown", ["postgres:postgres", Folder], asServer: false);
        }

        var passwordFile = Path.Combine(Folder, "pw");
        File.WriteAllText(passwordFile, Password);
        if (IsRoot)
        {
            Run("chown", ["postgres", passwordFile], asServer: false);
        }

        Run(Path.Combine(bin, "initdb"), ["-D", dataFolder, "-U", User, "--pwfile=" + passwordFile, "--auth-local=scram-sha-256",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"], asServer: true);
        File.Delete(passwordFile);

        // A port another process takes between the probe and the start makes pg_ctl fail: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", dataFolder, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60",
                    "-o", $"-p {Port} -k {Folder} -c listen_addresses=127.0.0.1 -c fsync=off", "start"], asServer: true);
                return;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
            }
        }
    }

    private void Stop()
    {
        lock (gate)
        {
            if (stopped)
            {
                return;
            }

            stopped = true;
        }

        try
        {
            if (File.Exists(Path.Combine(dataFolder, "postmaster.pid")))
            {
                Run(Path.Combine(bin, "pg_ctl"), ["-D", dataFolder, "-m", "immediate", "-w", "stop"], asServer: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Stopping is best effort; the folder goes anyway.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private static bool IsRoot => !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>PostgreSQL's server programs: $KF_PG_BIN, else the newest /usr/lib/postgresql/&lt;version&gt;/bin (15 or later: the dump is pg_dump 15's).</summary>
    private static string FindBinaries()
    {
        var configured = Environment.GetEnvironmentVariable("KF_PG_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(Path.Combine(configured, "initdb"))
                ? configured
                : throw new InvalidOperationException($"KF_PG_BIN is '{configured}', which holds no initdb.");
        }

        const string root = "/usr/lib/postgresql";
        var found = Directory.Exists(root)
            ? Directory.GetDirectories(root)
                .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0))
                .Where(c => c.Version >= 15 && File.Exists(Path.Combine(c.Dir, "initdb")) && File.Exists(Path.Combine(c.Dir, "pg_ctl")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Dir)
                .FirstOrDefault()
            : null;
        return found ?? throw new InvalidOperationException(
            "The PostgreSQL tests need PostgreSQL 15 or later's server programs (initdb, pg_ctl, pg_restore, psql) in /usr/lib/postgresql/<version>/bin " +
            "or $KF_PG_BIN: install Debian's postgresql package (.ci/run does).");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private string Run(string program, string[] arguments, bool asServer)
    {
        var start = new ProcessStartInfo
        {
            FileName = asServer && IsRoot ? "runuser" : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (asServer && IsRoot)
        {
            foreach (var a in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PGPASSWORD"] = Password;
        start.Environment["LC_ALL"] = "C.UTF-8";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{Path.GetFileName(program)} did not finish within 3 minutes.");
        }

        if (process.ExitCode != 0)
        {
            var log = Path.Combine(Folder, "server.log");
            var serverLog = File.Exists(log) ? " Server log: " + string.Join(" | ", File.ReadLines(log).TakeLast(5)) : "";
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments.Where(a => !a.StartsWith("--pwfile", StringComparison.Ordinal)))} failed with exit code {process.ExitCode}: {error.Result.Trim()}{serverLog}");
        }

        return output.TrimEnd('\n');
    }
}

/// <summary>One test's database on the private server, with a KOLIBRI_HOME whose options.ini points at it; dropped on dispose.</summary>
public sealed class PostgresTestDatabase : IDisposable
{
    private readonly PostgresServer server;

    internal PostgresTestDatabase(PostgresServer server, string name)
    {
        this.server = server;
        Name = name;
        Home = new TempFolder();
        File.WriteAllText(Home.File("options.ini"), string.Create(CultureInfo.InvariantCulture, $"""
            [Database]
            DATABASE_ENGINE = postgres
            DATABASE_NAME = {name}
            DATABASE_USER = {PostgresServer.User}
            DATABASE_PASSWORD = {PostgresServer.Password}
            DATABASE_HOST = {server.Host}
            DATABASE_PORT = {server.Port}

            """));
    }

    public string Name { get; }

    /// <summary>A KOLIBRI_HOME for this database: pass its path as -Database, as an admin would.</summary>
    public TempFolder Home { get; }

    public string ConnectionString => server.ConnectionString(Name);

    public string Sql(string sql) => server.Sql(Name, sql);

    public void Dispose()
    {
        Home.Dispose();
        try
        {
            server.Sql("postgres", $"DROP DATABASE IF EXISTS {Name} WITH (FORCE)");
        }
        catch (InvalidOperationException)
        {
            // The server may already be gone at the end of the run.
        }
    }
}
