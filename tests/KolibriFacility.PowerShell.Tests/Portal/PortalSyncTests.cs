using System.Management.Automation;
using System.Security;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.PowerShell.Tests.Portal;

/// <summary>
/// Invoke-PortalSync and Get-PortalSyncStatus in the real engine, against two stand-ins: a loopback HTTP server for
/// the Kolibri Data Portal (it verifies our registration cryptographically) and a test executable for Kolibri's
/// `kolibri` command (it records its arguments and environment and prints Kolibri-shaped sync output).
/// </summary>
public sealed class PortalSyncTests : HostedModuleTest
{
    private const string TypedToken = "kx7qp-m2vd9";
    private const string SentToken = "kx7qpm2vd9";
    private readonly PortalStandIn portal = new("Nairobi Learning Centres", SentToken);

    public PortalSyncTests()
    {
        KolibriStandIn.SetScenario(Home.Path, "success");
    }

    // The session goes first, as before the shared base: nothing may still talk to the stand-in when it stops.
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            portal.Dispose();
        }
    }

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Db,
        ["Dir"] = Home.Path,
        ["Portal"] = portal.BaseUrl,
        ["Kolibri"] = KolibriStandIn.Executable,
        ["TypedToken"] = TypedToken,
    };

    private string Registered() => Sql("SELECT registered || ':' || _morango_dirty_bit FROM kolibriauth_facilitydataset WHERE id = '" + DatasetId + "'");

    private string Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Db};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString() ?? "";
    }

    /// <summary>The one error of a run (a statement-terminating error lands in the error stream of the script).</summary>
    private static ErrorRecord TheError(ScriptResult result) => result.Terminating ?? Assert.Single(result.Errors);

    private string DatabaseHash() => DbFiles.Sha256(Db);

    /// <summary>Every piece of text the run showed anywhere.</summary>
    private static IEnumerable<string> AllText(ScriptResult result) =>
        result.Output.Select(o => string.Join("|", o.Properties.Select(p => p.Name + "=" + p.Value)))
            .Concat(result.Errors.Select(e => e + " " + e.ErrorDetails?.Message + " " + e.ErrorDetails?.RecommendedAction + " " + e.TargetObject))
            .Concat(result.Terminating is null ? [] : [result.Terminating + " " + result.Terminating.ErrorDetails?.RecommendedAction])
            .Concat(result.Warnings).Concat(result.Verbose).Concat(result.HostLines)
            .Concat(result.Progress.Select(p => p.Activity + " " + p.StatusDescription + " " + p.CurrentOperation));

    private static void AssertTokenNeverShown(ScriptResult result)
    {
        Assert.All(AllText(result), text =>
        {
            Assert.DoesNotContain(SentToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TypedToken, text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_token_registers_the_facility_natively_then_kolibri_syncs_it_with_progress_stages()
    {
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri -Verbose", Vars);

        Assert.Empty(result.ErrorIds);
        var sync = Assert.Single(result.Output);
        Assert.Equal("KolibriFacility.Core.Portal.SyncResult", sync.BaseObject.GetType().FullName);
        Assert.Equal("Completed", sync.Properties["Status"].Value.ToString());
        Assert.Equal(true, sync.Properties["Registered"].Value);
        Assert.Equal(true, sync.Properties["IsPortal"].Value);
        Assert.Equal("Nairobi Learning Centres", sync.Properties["Project"].Value);
        Assert.Equal(portal.BaseUrl, sync.Properties["Server"].Value);
        Assert.Equal(0, sync.Properties["ExitCode"].Value);
        Assert.Equal(40L, sync.Properties["RecordsReceived"].Value);
        Assert.Equal(120L, sync.Properties["RecordsSent"].Value);
        Assert.Equal("PullAndPush", sync.Properties["Direction"].Value.ToString());
        Assert.Equal(Path.Combine(Home.Path, "logs", "kolibri.txt"), sync.Properties["KolibriLog"].Value);

        // The stand-in portal verified the chain and the nonce signature; the token went only there, first '-' removed.
        Assert.Empty(portal.Rejections);
        var registration = Assert.Single(portal.Registrations);
        Assert.Equal(FacilityId, registration.FacilityId);
        Assert.Equal(DatasetId, registration.ClientCertificateId);
        Assert.Equal(SentToken, registration.Token);
        Assert.Equal("1:1", Registered());

        var start = Assert.Single(KolibriStandIn.Starts(Home.Path));
        Assert.Equal(["manage", "sync", "--facility", FacilityId, "--baseurl", portal.BaseUrl, "--chunk-size", "200", "--noninteractive"], KolibriStandIn.Arguments(start));
        Assert.Equal(Home.Path, start.GetProperty("kolibriHome").GetString());
        Assert.Equal(portal.BaseUrl, start.GetProperty("portalUrl").GetString());

        var stages = result.Progress.Where(p => p.RecordType == ProgressRecordType.Processing).Select(p => p.CurrentOperation).ToList();
        Assert.Equal(["PENDING", "SESSION_CREATION", "REMOTE_QUEUING", "PULLING", "LOCAL_DEQUEUING", "SESSION_CREATION", "LOCAL_QUEUING", "PUSHING", "REMOTE_DEQUEUING"], stages);
        Assert.Equal(ProgressRecordType.Completed, result.Progress[^1].RecordType);
        Assert.Contains(result.Verbose, v => v.Contains("project 'Nairobi Learning Centres'", StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v == "kolibri: " + v[9..] && v.Contains("Syncing has been completed.", StringComparison.Ordinal));
        AssertTokenNeverShown(result);
    }

    [Fact]
    public void A_SecureString_token_works_the_same()
    {
        var secure = new SecureString();
        foreach (var c in TypedToken)
        {
            secure.AppendChar(c);
        }

        var vars = Vars;
        vars["Secure"] = secure;
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $Secure -PortalUrl $Portal -KolibriCommand $Kolibri", vars);
        Assert.Empty(result.ErrorIds);
        Assert.Equal(SentToken, Assert.Single(portal.Registrations).Token);
        Assert.Equal("1:1", Registered());
    }

    [Fact]
    public void WhatIf_validates_the_token_and_shows_the_project_but_changes_nothing()
    {
        var before = DatabaseHash();
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri -WhatIf", Vars);

        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Output);
        var whatIf = result.WhatIf.ToList();
        Assert.Equal(2, whatIf.Count);
        Assert.Contains("Register with Kolibri Data Portal project 'Nairobi Learning Centres'", whatIf[0], StringComparison.Ordinal);
        Assert.Contains("Demo Facility", whatIf[0], StringComparison.Ordinal);
        Assert.Contains("Sync facility data with the Kolibri Data Portal at " + portal.BaseUrl, whatIf[1], StringComparison.Ordinal);
        Assert.Contains("manage sync --facility " + FacilityId, whatIf[1], StringComparison.Ordinal);
        Assert.Equal(["GET /portal/api/public/v1/registerfacility/validate_token"], portal.Paths);
        Assert.Empty(portal.Registrations);
        Assert.Empty(KolibriStandIn.Records(Home.Path));
        Assert.Equal(before, DatabaseHash());
        AssertTokenNeverShown(result);
    }

    [Fact]
    public void Confirm_no_to_registration_still_offers_the_sync()
    {
        Session.Host.Answers.Enqueue("No");
        Session.Host.Answers.Enqueue("No");
        var before = DatabaseHash();
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri -Confirm", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Equal(2, Session.Host.Prompts.Count);
        Assert.Empty(portal.Registrations);
        Assert.Empty(KolibriStandIn.Records(Home.Path));
        Assert.Equal(before, DatabaseHash());
    }

    [Fact]
    public void An_invalid_token_is_a_clear_error_and_nothing_happens()
    {
        var before = DatabaseHash();
        var vars = Vars;
        vars["TypedToken"] = "wrong-tokn";
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri", vars);

        Assert.Equal("PortalTokenInvalid,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand", Assert.Single(result.ErrorIds));
        var error = TheError(result);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("does not accept this project token", error.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrongtokn", string.Join("\n", AllText(result)), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-tokn", string.Join("\n", AllText(result)), StringComparison.Ordinal);
        Assert.Empty(portal.Registrations);
        Assert.Empty(KolibriStandIn.Records(Home.Path));
        Assert.Equal(before, DatabaseHash());
    }

    [Fact]
    public void A_facility_the_portal_already_registered_is_reported_and_left_unchanged()
    {
        portal.RegisteredFacilities.Add(FacilityId);
        var before = DatabaseHash();
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri", Vars);

        Assert.Equal("PortalAlreadyRegistered,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand", Assert.Single(result.ErrorIds));
        var error = TheError(result);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Contains("without -Token", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Empty(KolibriStandIn.Records(Home.Path));
        Assert.Equal(before, DatabaseHash());
        AssertTokenNeverShown(result);
    }

    [Fact]
    public void When_the_portal_does_not_know_the_facility_it_syncs_first_and_registers_again_as_kolibris_cli_does()
    {
        portal.RequireSyncBeforeRegistration = true;
        KolibriStandIn.SetScenario(Home.Path, "success", contactServer: true);
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri -Verbose", Vars);

        Assert.Empty(result.ErrorIds);
        Assert.Equal(
            [
                "GET /portal/api/public/v1/registerfacility/validate_token",
                "POST /api/morango/v1/nonces/", "POST /portal/api/public/v1/registerfacility/", // FACILITY_DOES_NOT_EXIST
                "GET /api/morango/v1/morangoinfo/1/",                                           // Kolibri's sync
                "POST /api/morango/v1/nonces/", "POST /portal/api/public/v1/registerfacility/", // accepted
                "GET /api/morango/v1/morangoinfo/1/",                                           // the sync that carries registered = 1
            ],
            portal.Paths);
        Assert.Single(portal.Registrations);
        Assert.Empty(portal.Rejections);
        Assert.Equal(2, KolibriStandIn.Starts(Home.Path).Count);
        Assert.Equal("1:1", Registered());
        Assert.Equal(true, Assert.Single(result.Output).Properties["Registered"].Value);
        Assert.Contains(result.Verbose, v => v.Contains("syncing first, then registering again", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_kolibri_command_is_an_error_that_says_how_to_point_at_it_before_anything_changes()
    {
        var before = DatabaseHash();
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand \"$Dir/nowhere/kolibri\"", Vars);

        Assert.Equal("KolibriCommandNotFound,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand", Assert.Single(result.ErrorIds));
        var message = TheError(result).Exception.Message;
        Assert.Contains("-KolibriCommand", message, StringComparison.Ordinal);
        Assert.Contains("$env:KOLIBRI_COMMAND", message, StringComparison.Ordinal);
        Assert.Empty(portal.Requests);
        Assert.Equal(before, DatabaseHash());
    }

    [Fact]
    public void WhatIf_without_kolibri_still_checks_the_token_and_warns_that_the_sync_step_cannot_run()
    {
        var before = DatabaseHash();
        var result = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand \"$Dir/nowhere/kolibri\" -WhatIf", Vars);

        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Output);
        var whatIf = Assert.Single(result.WhatIf);
        Assert.Contains("Register with Kolibri Data Portal project 'Nairobi Learning Centres'", whatIf, StringComparison.Ordinal);
        var warning = Assert.Single(result.Warnings);
        Assert.StartsWith("The sync step cannot run: The Kolibri command", warning, StringComparison.Ordinal);
        Assert.Contains("-KolibriCommand", warning, StringComparison.Ordinal);
        Assert.Equal(["GET /portal/api/public/v1/registerfacility/validate_token"], portal.Paths);
        Assert.Equal(before, DatabaseHash());
        AssertTokenNeverShown(result);
    }

    [Fact]
    public void KOLIBRI_COMMAND_from_the_environment_is_used_when_no_parameter_is_given()
    {
        Sql("UPDATE kolibriauth_facilitydataset SET registered = 1");
        var result = Session.Run("$env:KOLIBRI_COMMAND = $Kolibri; try { Invoke-PortalSync -Database $Db -PortalUrl $Portal } finally { $env:KOLIBRI_COMMAND = $null }", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Warnings);
        Assert.Single(KolibriStandIn.Starts(Home.Path));
        Assert.Empty(portal.Requests);
    }

    [Fact]
    public void A_failing_kolibri_sync_is_an_error_carrying_kolibris_message_and_the_result()
    {
        Sql("UPDATE kolibriauth_facilitydataset SET registered = 1");
        KolibriStandIn.SetScenario(Home.Path, "failure");
        var result = Session.Run("Invoke-PortalSync -Database $Db -PortalUrl $Portal -KolibriCommand $Kolibri", Vars);

        Assert.Empty(result.Output);
        Assert.Equal("KolibriSyncFailed,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand", Assert.Single(result.ErrorIds));
        var error = result.Errors[0];
        Assert.Contains("Device can not sync with itself. Please recheck base URL and try again.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("exit code 1", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("kolibri.txt", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        var target = PSObject.AsPSObject(error.TargetObject);
        Assert.Equal("Failed", target.Properties["Status"].Value.ToString());
        Assert.Equal(1, target.Properties["ExitCode"].Value);
    }

    [Fact]
    public void Ctrl_C_stops_kolibri_cleanly_and_stops_the_pipeline()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // on Windows the child is killed (no SIGINT); covered by the Core runner design, not this test
        }

        Sql("UPDATE kolibriauth_facilitydataset SET registered = 1");
        InheritedSigint.StopIgnoring();
        KolibriStandIn.SetScenario(Home.Path, "hang");
        bool Waiting() => KolibriStandIn.Records(Home.Path).Any(r => r.GetProperty("event").GetString() == "waiting");
        var (result, stopped) = Session.RunAndStop("Invoke-PortalSync -Database $Db -PortalUrl $Portal -KolibriCommand $Kolibri; 'not reached'", Vars, Waiting, TimeSpan.FromSeconds(30));

        Assert.True(stopped);
        Assert.Empty(result.Output);
        var records = KolibriStandIn.Records(Home.Path);
        Assert.Contains(records, r => r.GetProperty("event").GetString() == "interrupted");
        Assert.Contains(records, r => r.GetProperty("event").GetString() == "exit" && r.GetProperty("code").GetInt32() == 130);
        var pid = KolibriStandIn.Starts(Home.Path).Single().GetProperty("pid").GetInt32();
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }

    [Fact]
    public void A_peer_sync_passes_the_credential_to_kolibri_on_standard_input_and_never_shows_the_password()
    {
        var vars = Vars;
        var password = new SecureString();
        foreach (var c in "-peerpass9")
        {
            password.AppendChar(c);
        }

        vars["Cred"] = new PSCredential("admin", password);
        var result = Session.Run("Invoke-PortalSync -Database $Db -Server 127.0.0.1:8080 -Credential $Cred -KolibriCommand $Kolibri -NoPull -Verbose", vars);

        Assert.Empty(result.ErrorIds);
        Assert.Empty(result.Warnings);
        var sync = Assert.Single(result.Output);
        Assert.Equal(false, sync.Properties["IsPortal"].Value);
        Assert.Equal("PushOnly", sync.Properties["Direction"].Value.ToString());
        var start = Assert.Single(KolibriStandIn.Starts(Home.Path));
        // The password (with a leading '-', which argparse would take for an option after a bare --password) is
        // only on standard input; the command line carries Kolibri's shell and the module's fixed code.
        var argv = KolibriStandIn.Arguments(start);
        Assert.Equal(["manage", "shell", "-c"], argv[..3]);
        Assert.Equal(4, argv.Length); // the stand-in only reads standard input when the code is exactly the module's
        Assert.DoesNotContain("peerpass9", argv[3], StringComparison.Ordinal);
        Assert.Equal(
            ["manage", "sync", "--facility", FacilityId, "--baseurl", "http://127.0.0.1:8080", "--chunk-size", "200", "--noninteractive", "--no-pull", "--username=admin", "--password=-peerpass9"],
            start.GetProperty("syncArgs").EnumerateArray().Select(a => a.GetString()!));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, start.GetProperty("portalUrl").ValueKind);
        Assert.All(AllText(result), t => Assert.DoesNotContain("peerpass9", t, StringComparison.Ordinal));
        Assert.Contains(result.Verbose, v => v.Contains("--password=********", StringComparison.Ordinal));
        Assert.Equal("0:1", Registered());
    }

    [Fact]
    public void An_unregistered_facility_syncs_with_a_warning_and_NoPush_with_NoPull_is_refused()
    {
        var result = Session.Run("Invoke-PortalSync -Database $Db -PortalUrl $Portal -KolibriCommand $Kolibri -NoPush", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Contains("not registered", Assert.Single(result.Warnings), StringComparison.Ordinal);
        Assert.Contains("--no-push", KolibriStandIn.Arguments(KolibriStandIn.Starts(Home.Path).Single()));

        var both = Session.Run("Invoke-PortalSync -Database $Db -PortalUrl $Portal -KolibriCommand $Kolibri -NoPush -NoPull", Vars);
        Assert.Equal("NothingToSync,KolibriFacility.PowerShell.Commands.InvokePortalSyncCommand", Assert.Single(both.ErrorIds));
    }

    [Fact]
    public void The_portal_url_comes_from_options_ini_when_not_given()
    {
        Sql("UPDATE kolibriauth_facilitydataset SET registered = 1");
        File.WriteAllText(Home.File("options.ini"), $"[Urls]\nDATA_PORTAL_SYNCING_BASE_URL = {portal.BaseUrl}\n");
        var result = Session.Run("Invoke-PortalSync -Database $Db -KolibriCommand $Kolibri -Verbose", Vars);
        Assert.Empty(result.ErrorIds);
        Assert.Contains(result.Verbose, v => v.Contains($"Kolibri Data Portal: {portal.BaseUrl} (from OptionsIni)", StringComparison.Ordinal));
        var args = KolibriStandIn.Arguments(KolibriStandIn.Starts(Home.Path).Single());
        Assert.Equal(portal.BaseUrl, args[Array.IndexOf(args, "--baseurl") + 1]);
    }

    [Fact]
    public void Get_PortalSyncStatus_reads_the_flag_and_sessions_after_a_registration()
    {
        var sync = Session.Run("Invoke-PortalSync -Database $Db -Token $TypedToken -PortalUrl $Portal -KolibriCommand $Kolibri", Vars);
        Assert.Empty(sync.ErrorIds);
        // The stand-in does not write morango's tables; add the session Kolibri's sync would have left.
        Sql($$"""
            INSERT INTO morango_syncsession VALUES ('{{new string('a', 32)}}', '2025-01-10 08:00:00.000000', '2025-01-10 08:05:00.000000', 0, 'network', '{{portal.BaseUrl}}', 0,
              '127.0.0.1', 'facilitydata', '', '{{DatasetId}}', NULL, '{}', NULL, '{}', '{}', NULL, NULL);
            INSERT INTO morango_transfersession (id, filter, push, active, records_total, sync_session_id, last_activity_timestamp, client_fsic, records_transferred, server_fsic, start_timestamp, bytes_received, bytes_sent, transfer_stage, transfer_stage_status)
              VALUES ('{{new string('b', 32)}}', '{{DatasetId}}', 1, 0, 120, '{{new string('a', 32)}}', '2025-01-10 08:05:00.000000', '{}', 120, '{}', '2025-01-10 08:00:00.000000', 10, 50000, 'cleanup', 'completed');
            """);
        File.WriteAllText(Home.File("options.ini"), $"[Urls]\nDATA_PORTAL_SYNCING_BASE_URL = {portal.BaseUrl}\n");

        var result = Session.Run("Get-PortalSyncStatus -Database $Db", Vars);
        Assert.Empty(result.ErrorIds);
        var status = Assert.Single(result.Output);
        Assert.Equal(true, status.Properties["Registered"].Value);
        Assert.Equal(portal.BaseUrl, status.Properties["PortalUrl"].Value);
        Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 5, 0, TimeSpan.Zero), status.Properties["LastPortalSync"].Value);
        var sessionInfo = Assert.Single(((System.Collections.IEnumerable)status.Properties["Sessions"].Value).Cast<object>());
        Assert.NotNull(sessionInfo);

        File.WriteAllText(Home.File("options.ini"), "[Urls]\nDATA_PORTAL_SYNCING_BASE_URL = kdp.example.org\n");
        var badUrl = Session.Run("Get-PortalSyncStatus -Database $Db", Vars);
        Assert.Equal("InvalidServerUrl,KolibriFacility.PowerShell.Commands.GetPortalSyncStatusCommand", Assert.Single(badUrl.ErrorIds));
        Assert.Contains("options.ini", TheError(badUrl).Exception.Message, StringComparison.Ordinal);

        var missing = Session.Run("Get-PortalSyncStatus -Database $Db -Facility 'Nowhere'", Vars);
        Assert.Equal("FacilityNotFound,KolibriFacility.PowerShell.Commands.GetPortalSyncStatusCommand", Assert.Single(missing.ErrorIds));
    }
}
