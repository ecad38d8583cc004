using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

/// <summary>
/// The cmdlets on a PostgreSQL-backed Kolibri (the fixture's twin on the tests' private server), with the same script
/// on both engines where they should agree; the portal cmdlets with the stand-ins for the portal and Kolibri's command.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCmdletTests(PostgresServer server) : HostedModuleTest
{
    private const string PostgresFacilityId = "13ef67cfd227458fdb7dac03cafa05f4";

    public static TheoryData<string> Engines => ["sqlite", "postgres"];

    private PostgresTestDatabase Postgres => server.ReadOnlyDatabase;

    private ScriptResult RunOn(string engine, string script) =>
        Session.Run(script, new Dictionary<string, object?> { ["Db"] = engine == "sqlite" ? Db : Postgres.Home.Path, ["Dir"] = Home.Path, ["Cs"] = Postgres.ConnectionString, ["Out"] = Home.File("out.csv"),
            ["Credential"] = new PSCredential(PostgresServer.User, new System.Net.NetworkCredential("", PostgresServer.Password).SecurePassword) });

    private ScriptResult OkOn(string engine, string script)
    {
        var result = RunOn(engine, script);
        Assert.True(!result.ErrorIds.Any(), "unexpected errors: " + string.Join("; ", result.Errors.Select(e => e.FullyQualifiedErrorId + ": " + e)) + result.Terminating);
        return result;
    }

    private static string Fixture(string engine, string name) => engine == "sqlite" ? TestPaths.Fixture(name) : PostgresServer.Fixture(name);

    [Theory]
    [MemberData(nameof(Engines))]
    public void Facilities_classes_and_users_read_the_same_on_both_engines(string engine)
    {
        var facility = Assert.Single(OkOn(engine, "Get-Facility -Database $Db").Output);
        Assert.Equal(engine == "sqlite" ? FacilityId : PostgresFacilityId, facility.Properties["Id"].Value);
        Assert.Equal(51, facility.Properties["UserCount"].Value);
        Assert.Equal(["Class A", "Class B", "Grade 5 Math", "Reading Club", "Science 7"], Strings(OkOn(engine, "Get-FacilityClass -Database $Db"), "Name"));
        Assert.Equal(51, OkOn(engine, "Get-Facility -Database $Db | Get-FacilityUser").Output.Count);
        Assert.Equal(["ccoach6"], Strings(OkOn(engine, "Get-FacilityUser -Database $Db -Username CCOACH6"), "Username"));
        Assert.Equal(13, OkOn(engine, "Get-FacilityUser -Database $Db -Class 'Class A'").Output.Count);
        Assert.Equal(4, OkOn(engine, "Get-FacilityUser -Database $Db -UserType Admin").Output.Count);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Exports_equal_kolibris_files(string engine)
    {
        OkOn(engine, "Export-FacilityUsers -Database $Db -Path $Out -Force");
        Assert.Equal(File.ReadAllBytes(Fixture(engine, "users-export.csv")), File.ReadAllBytes(Home.File("out.csv")));
        OkOn(engine, "New-FacilityLog -Database $Db -Path $Out -Force");
        Assert.Equal(File.ReadAllBytes(Fixture(engine, "logs-session.csv")), File.ReadAllBytes(Home.File("out.csv")));
        OkOn(engine, "New-FacilityLog -Database $Db -Type Summary -Path $Out -Force");
        Assert.Equal(File.ReadAllLines(Fixture(engine, "logs-summary.csv")).Order(StringComparer.Ordinal), File.ReadAllLines(Home.File("out.csv")).Order(StringComparer.Ordinal));
        var logs = OkOn(engine, "Get-FacilityLog -Database $Db -Username learner01").Output;
        Assert.NotEmpty(logs);
        Assert.All(logs, l => Assert.Equal("learner01", l.Properties["Username"].Value));
    }

    [Fact]
    public void Objects_from_a_postgresql_home_carry_the_home_and_pipe_on()
    {
        var users = OkOn("postgres", "Get-FacilityUser -Database $Db -Username learner01");
        Assert.Equal(Postgres.Home.Path, Assert.Single(users.Output).Properties["Database"].Value);
        Assert.Equal(["learner01"], Strings(OkOn("postgres", "Get-FacilityUser -Database $Db -Username learner01 | Get-FacilityUser"), "Username"));
    }

    [Fact]
    public void A_connection_string_with_a_credential_opens_the_database_and_the_password_shows_nowhere()
    {
        var result = OkOn("postgres", """
            Get-Facility -ConnectionString ($Cs -replace 'Password=[^;]*', '') -DatabaseCredential $Credential -Verbose
            Get-FacilityUser -ConnectionString $Cs -Username admin -Verbose
            """);
        Assert.Equal(2, result.Output.Count);
        Assert.StartsWith("postgres://kolibri@127.0.0.1:", (string)result.Output[0].Properties["Database"].Value);
        var shown = string.Join("\n", result.Output.Select(o => string.Join(";", o.Properties.Select(p => p.Value?.ToString()))).Concat(result.Verbose));
        Assert.DoesNotContain(PostgresServer.Password, shown);
    }

    [Fact]
    public void A_wrong_password_is_an_authentication_error_that_does_not_show_it()
    {
        var result = RunOn("postgres", "Get-Facility -ConnectionString ($Cs -replace 'Password=kolibripw', 'Password=Wrong-Secret-9')");
        var error = Assert.Single(result.Errors.Concat([result.Terminating]).OfType<ErrorRecord>());
        Assert.Equal("DatabaseAuthenticationFailed,KolibriFacility.PowerShell.Commands.GetFacilityCommand", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        Assert.DoesNotContain("Wrong-Secret-9", error.ToString() + error.Exception + error.ErrorDetails?.RecommendedAction + error.TargetObject);
    }

    [Fact]
    public void Invoke_PortalSync_registers_and_runs_kolibris_sync_with_the_postgresql_home_and_Get_PortalSyncStatus_reads_it()
    {
        using var database = server.CreateDatabase();
        var home = database.Home.Path;
        using var portal = new PortalStandIn("Nairobi Learning Centres", "kx7qpm2vd9");
        KolibriStandIn.SetScenario(home, "success");
        var vars = new Dictionary<string, object?> { ["Db"] = home, ["Portal"] = portal.BaseUrl, ["Kolibri"] = KolibriStandIn.Executable, ["Cs"] = database.ConnectionString };

        var sync = Session.Run("Invoke-PortalSync -Database $Db -Token 'kx7qp-m2vd9' -PortalUrl $Portal -KolibriCommand $Kolibri -Confirm:$false", vars);

        Assert.Empty(sync.ErrorIds);
        var result = Assert.Single(sync.Output);
        Assert.Equal("Completed", result.Properties["Status"].Value.ToString());
        Assert.Equal(true, result.Properties["Registered"].Value);
        Assert.Equal(home, result.Properties["Database"].Value);
        Assert.Equal(Path.Combine(home, "logs", "kolibri.txt"), result.Properties["KolibriLog"].Value);
        Assert.Equal(PostgresFacilityId, Assert.Single(portal.Registrations).FacilityId);
        var start = Assert.Single(KolibriStandIn.Starts(home));
        Assert.Equal(home, start.GetProperty("kolibriHome").GetString());
        Assert.Equal(["manage", "sync", "--facility", PostgresFacilityId, "--baseurl", portal.BaseUrl, "--chunk-size", "200", "--noninteractive"], KolibriStandIn.Arguments(start));
        Assert.Equal("1:1", database.Sql($"SELECT d.registered::int || ':' || d._morango_dirty_bit::int FROM kolibriauth_facilitydataset d JOIN kolibriauth_collection f ON f.dataset_id = d.id WHERE f.id = '{PostgresFacilityId}'"));

        var session = new string('a', 32);
        // A session as morango writes it on PostgreSQL (native uuid, boolean, timestamptz), read by the status on both ways of naming the database.
        database.Sql($$"""
            INSERT INTO morango_syncsession (id, start_timestamp, last_activity_timestamp, active, connection_kind, connection_path, is_server, client_ip, profile,
                server_ip, client_certificate_id, server_certificate_id, extra_fields, process_id, client_instance_json, server_instance_json)
            SELECT '{{session}}', '2025-01-10 08:00:00+00', '2025-01-10 08:05:00.25+00', false, 'network', '{{portal.BaseUrl}}', false, '127.0.0.1',
                'facilitydata', '', d.id, NULL, '{}', 1234, '{}', '{}'
            FROM kolibriauth_facilitydataset d JOIN kolibriauth_collection f ON f.dataset_id = d.id WHERE f.id = '{{PostgresFacilityId}}';
            INSERT INTO morango_transfersession (id, filter, push, active, records_total, sync_session_id, last_activity_timestamp, client_fsic, records_transferred,
                server_fsic, start_timestamp, bytes_received, bytes_sent, transfer_stage, transfer_stage_status)
            SELECT ('{{session[..30]}}0' || p::int)::uuid, replace(d.id::text, '-', ''), p, false, 10, '{{session}}', '2025-01-10 08:05:00.25+00',
                '{}', CASE WHEN p THEN 340 ELSE 12 END, '{}', '2025-01-10 08:00:00+00', 1000, 2000, 'cleanup', 'completed'
            FROM kolibriauth_facilitydataset d JOIN kolibriauth_collection f ON f.dataset_id = d.id, (VALUES (false), (true)) AS v(p) WHERE f.id = '{{PostgresFacilityId}}';
            """);
        // The home's options.ini names the portal as well as the database; a connection string has no home to say it.
        File.AppendAllText(database.Home.File("options.ini"), $"\n[Urls]\nDATA_PORTAL_SYNCING_BASE_URL = {portal.BaseUrl}\n");
        foreach (var script in (string[])["Get-PortalSyncStatus -Database $Db", "Get-PortalSyncStatus -ConnectionString $Cs"])
        {
            var read = Session.Run(script, vars);
            Assert.Empty(read.ErrorIds);
            var status = Assert.Single(read.Output);
            Assert.Equal(true, status.Properties["Registered"].Value);
            Assert.Equal(true, status.Properties["OwnsCertificate"].Value);
            Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 5, 0, 250, TimeSpan.Zero), status.Properties["LastSuccessfulSync"].Value);
            Assert.Equal(portal.BaseUrl, status.Properties["LastSuccessfulServer"].Value);
            var info = Assert.Single(((System.Collections.IEnumerable)status.Properties["Sessions"].Value).Cast<object>().Select(o => PSObject.AsPSObject(o)));
            Assert.Equal(session, info.Properties["Id"].Value);
            Assert.Equal((true, true, true), ((bool)info.Properties["Completed"].Value, (bool)info.Properties["Pulled"].Value, (bool)info.Properties["Pushed"].Value));
            Assert.Equal((12L, 340L), ((long)info.Properties["RecordsReceived"].Value, (long)info.Properties["RecordsSent"].Value));
            if (script.Contains("-Database", StringComparison.Ordinal))
            {
                Assert.Equal(home, status.Properties["Database"].Value);
                Assert.Equal(portal.BaseUrl, status.Properties["PortalUrl"].Value);
                Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 5, 0, 250, TimeSpan.Zero), status.Properties["LastPortalSync"].Value);
                Assert.Equal(true, info.Properties["IsPortal"].Value);
            }
            else
            {
                Assert.StartsWith("postgres://kolibri@127.0.0.1:", (string)status.Properties["Database"].Value, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void Invoke_PortalSync_with_a_connection_string_asks_for_the_kolibri_home_before_connecting()
    {
        using var database = server.CreateDatabase();
        KolibriStandIn.SetScenario(Home.Path, "success");
        var result = Session.Run("Invoke-PortalSync -ConnectionString $Cs -Server http://127.0.0.1:9 -KolibriCommand $Kolibri -Confirm:$false",
            new Dictionary<string, object?> { ["Cs"] = database.ConnectionString, ["Kolibri"] = KolibriStandIn.Executable });
        var error = result.Terminating ?? Assert.Single(result.Errors);
        Assert.StartsWith("KolibriHomeMismatch,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("has no KOLIBRI_HOME", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("-Database", error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresServer.Password, error.Exception.Message + error.TargetObject, StringComparison.Ordinal);
        Assert.Equal("0", database.Sql($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database.Name}' AND application_name = 'KolibriFacility'"));
        Assert.Empty(KolibriStandIn.Records(Home.Path));
    }

    [Fact]
    public void Invoke_PortalSync_refuses_a_db_sqlite3_whose_home_says_postgres_because_kolibri_would_sync_that_database()
    {
        File.WriteAllText(Home.File("options.ini"), "[Database]\nDATABASE_ENGINE = postgres\nDATABASE_NAME = kolibri\n");
        KolibriStandIn.SetScenario(Home.Path, "success");
        var result = Session.Run("Invoke-PortalSync -Database $Db -Server http://127.0.0.1:9 -KolibriCommand $Kolibri -Confirm:$false",
            new Dictionary<string, object?> { ["Db"] = Db, ["Kolibri"] = KolibriStandIn.Executable });
        var error = result.Terminating ?? Assert.Single(result.Errors);
        Assert.StartsWith("KolibriHomeMismatch,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("uses PostgreSQL", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(KolibriStandIn.Records(Home.Path));
    }
}
