using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.ReadSide;

/// <summary>
/// The cmdlets on a PostgreSQL-backed Kolibri (the fixture's twin on the tests' private server), with the same script
/// on both engines where they should agree, and the refusal of commands that do not support PostgreSQL yet.
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

    [Theory]
    [InlineData("Get-PortalSyncStatus -Database $Db")]
    [InlineData("Invoke-PortalSync -Database $Db -Confirm:$false")]
    [InlineData("Get-PortalSyncStatus -ConnectionString $Cs")]
    public void Commands_that_cannot_work_on_postgresql_yet_say_so_before_touching_it(string script)
    {
        File.WriteAllText(Home.File("none.csv"), "username,password\r\n");
        using var database = server.CreateDatabase();
        var before = database.Sql("SELECT count(*) FROM kolibriauth_facilityuser");
        var result = Session.Run(script, new Dictionary<string, object?> { ["Db"] = database.Home.Path, ["Csv"] = Home.File("none.csv"), ["Cs"] = database.ConnectionString });
        var error = result.Terminating ?? Assert.Single(result.Errors);
        Assert.StartsWith("PostgreSqlNotSupported,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.NotImplemented, error.CategoryInfo.Category);
        Assert.Contains("cannot work on a PostgreSQL-backed Kolibri yet", error.Exception.Message);
        Assert.DoesNotContain(PostgresServer.Password, error.Exception.Message);
        Assert.Equal(before, database.Sql("SELECT count(*) FROM kolibriauth_facilityuser"));
        Assert.Equal("0", database.Sql($"SELECT count(*) FROM pg_stat_activity WHERE datname = '{database.Name}' AND application_name = 'KolibriFacility'"));
    }
}
