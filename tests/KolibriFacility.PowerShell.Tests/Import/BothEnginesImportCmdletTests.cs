using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>
/// Import-FacilityUsers, Get-FacilityImportPlan and Undo-FacilityImport with one test body on both engines: a copy of
/// the SQLite fixture, and a copy of its PostgreSQL twin (a KOLIBRI_HOME whose options.ini says postgres); and an
/// explicit -ConnectionString with -DatabaseCredential, whose password shows nowhere.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BothEnginesImportCmdletTests(PostgresServer server) : HostedModuleTest
{
    private EngineDatabase? database;

    private EngineDatabase Database => database ?? throw new InvalidOperationException("Open(engine) first.");

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Database.Database,
        ["Dir"] = Home.Path,
        ["Out"] = Home.File("export.csv"),
        ["Csv"] = Home.File("edited.csv"),
    };

    private EngineDatabase Open(string engine) => database = EngineDatabase.Create(engine, Db, server);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            database?.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>The module's export of the facility, edited: learner01 renamed with a new password, learner02 left out, a new user in a new class.</summary>
    private void WriteEditedExport()
    {
        Ok("Export-FacilityUsers -Database $Db -Path $Out -Force");
        var lines = File.ReadAllLines(Home.File("export.csv"))
            .Where(l => !l.Contains(",learner02,", StringComparison.Ordinal))
            .Select(l => l.Contains(",learner01,", StringComparison.Ordinal) ? Edit(l) : l)
            .Append(",newkid,kid-pass-77,New Kid,LEARNER,,2012,MALE,Brand New Class,");
        File.WriteAllText(Home.File("edited.csv"), string.Concat(lines.Select(l => l + "\r\n")), new System.Text.UTF8Encoding(true));

        static string Edit(string line)
        {
            var cells = line.Split(',');
            (cells[2], cells[3]) = ("n3w-pass-55", "Renamed Person");
            return string.Join(",", cells);
        }
    }

    /// <summary>Every user with their name and how many memberships and roles they have, and every collection: what an undo must give back.</summary>
    private List<string> State() => Database.Rows("""
            SELECT u.username || ':' || u.full_name || ':' || (SELECT COUNT(*) FROM kolibriauth_membership m WHERE m.user_id = u.id)
                || ':' || (SELECT COUNT(*) FROM kolibriauth_role r WHERE r.user_id = u.id)
            FROM kolibriauth_facilityuser u
            UNION ALL SELECT kind || ':' || name FROM kolibriauth_collection
            """).Select(r => r[0]).Order(StringComparer.Ordinal).ToList();

    private string LearnerId(string username) => Database.Scalar($"SELECT {EngineDatabase.Id("id")} FROM kolibriauth_facilityuser WHERE username = '{username}'");

    private List<string> Journals() => Directory.Exists(Database.Backups) ? [.. Directory.GetFiles(Database.Backups, "*.journal.jsonl")] : [];

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void Importing_the_modules_own_export_plans_nothing_and_writes_nothing(string engine)
    {
        Open(engine);
        Ok("Export-FacilityUsers -Database $Db -Path $Out -Force");
        Assert.Equal(47, File.ReadAllLines(Home.File("export.csv")).Length - 1);
        var before = Database.Digest();

        var plan = Assert.Single(Ok("Get-FacilityImportPlan -Database $Db -Path $Out").Output);
        Assert.Equal(true, plan.Properties["IsEmpty"].Value);
        var import = Ok("Import-FacilityUsers -Database $Db -Path $Out -Confirm:$false -PassThru");
        Assert.Equal(0, ((dynamic)Assert.Single(import.Output).Properties["Summary"].Value).UsersCreated);
        // Kolibri's own export of the same database plans nothing either.
        Assert.Equal(true, Assert.Single(Ok($"Get-FacilityImportPlan -Database $Db -LiteralPath '{Database.KolibriExport}'").Output).Properties["IsEmpty"].Value);

        Assert.Equal(before, Database.Digest());
        Assert.Empty(Journals());
    }

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void An_edited_export_is_previewed_with_WhatIf_then_applied_from_its_plan(string engine)
    {
        Open(engine);
        WriteEditedExport();
        var gone = LearnerId("learner02");
        var before = Database.Digest();

        var whatIf = Ok("Import-FacilityUsers -Database $Db -Path $Csv -WhatIf").WhatIf.ToList();
        Assert.Equal(before, Database.Digest());
        Assert.Contains(whatIf, l => l.Contains("newkid", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Renamed Person", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("learner02", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Brand New Class", StringComparison.Ordinal));
        Assert.DoesNotContain(whatIf, l => l.Contains("kid-pass-77", StringComparison.Ordinal) || l.Contains("n3w-pass-55", StringComparison.Ordinal));

        var plan = Assert.Single(Ok("$plan = Get-FacilityImportPlan -Database $Db -Path $Csv; $plan").Output);
        Assert.Equal(whatIf.Count - 1, ((System.Collections.IEnumerable)plan.Properties["Changes"].Value).Cast<object>().Count());
        Assert.DoesNotContain("kid-pass-77", (string)plan.Properties["Json"].Value, StringComparison.Ordinal);
        Assert.Equal(before, Database.Digest());

        var result = Assert.Single(Ok("Import-FacilityUsers -Plan $plan -Confirm:$false -PassThru").Output);
        var summary = (dynamic)result.Properties["Summary"].Value;
        Assert.Equal((1, 1), ((int)summary.UsersCreated, (int)summary.UsersDeleted));
        var journal = (string)result.Properties["JournalPath"].Value;
        Assert.Equal([journal], Journals());
        Assert.DoesNotContain("kid-pass-77", File.ReadAllText(journal), StringComparison.Ordinal);

        var kid = Assert.Single(Ok("Get-FacilityUser -Database $Db -Username newkid").Output);
        Assert.Equal(["Brand New Class"], (IEnumerable<string>)kid.Properties["EnrolledIn"].Value);
        Assert.Equal("Renamed Person", Assert.Single(Ok("Get-FacilityUser -Database $Db -Username learner01").Output).Properties["FullName"].Value);
        Assert.Equal("0", Database.Scalar("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'learner02'"));
        Assert.True(KolibriPasswords.Match("kid-pass-77", Database.Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'newkid'")));
        Assert.True(KolibriPasswords.Match("n3w-pass-55", Database.Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'learner01'")));
        Assert.Equal("1", Database.Scalar("SELECT _morango_dirty_bit FROM kolibriauth_facilityuser WHERE username = 'newkid'"));
        Assert.Equal("1", Database.Scalar($"SELECT COUNT(*) FROM morango_harddeletedmodels WHERE {EngineDatabase.Id("id")} = '{gone}'"));

        // The same plan again is stale; a new export plans nothing.
        Assert.Equal(["ImportPlanStale,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand"], Run("Import-FacilityUsers -Plan $plan -Confirm:$false").ErrorIds);
        Ok("Export-FacilityUsers -Database $Db -Path $Out -Force");
        Assert.Equal(true, Assert.Single(Ok("Get-FacilityImportPlan -Database $Db -Path $Out").Output).Properties["IsEmpty"].Value);
    }

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void Undo_FacilityImport_previews_then_gives_back_every_user_class_membership_and_role(string engine)
    {
        Open(engine);
        WriteEditedExport();
        var gone = LearnerId("learner02");
        var before = State();
        Ok("$result = Import-FacilityUsers -Database $Db -Path $Csv -Confirm:$false -PassThru");
        Assert.NotEqual(before, State());

        var changed = Database.Digest();
        var whatIf = Ok("$result | Undo-FacilityImport -WhatIf").WhatIf.ToList();
        Assert.Equal(changed, Database.Digest());
        Assert.Contains(whatIf, l => l.Contains("Delete user 'newkid' (created by the import)", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Restore user 'learner02' with its id", StringComparison.Ordinal));

        var undone = Assert.Single(Ok("$result | Undo-FacilityImport -Confirm:$false -PassThru").Output);
        Assert.Equal(whatIf.Count - 1, undone.Properties["ChangesUndone"].Value);
        Assert.Equal(before, State());
        Assert.Equal("0", Database.Scalar($"SELECT COUNT(*) FROM morango_harddeletedmodels WHERE {EngineDatabase.Id("id")} = '{gone}'"));
        Assert.Equal(["NoImportToUndo,KolibriFacility.PowerShell.Commands.UndoFacilityImportCommand"], Run("Undo-FacilityImport -Database $Db -Last -Confirm:$false").ErrorIds);
    }

    [Fact]
    public void With_ConnectionString_and_DatabaseCredential_plan_import_edit_and_undo_write_and_the_password_shows_nowhere()
    {
        Open("postgres");
        WriteEditedExport();
        var before = State();
        var vars = Vars;
        vars["Cs"] = System.Text.RegularExpressions.Regex.Replace(Database.ConnectionString!, "Password=[^;]*;?", "");
        vars["Credential"] = new PSCredential(PostgresServer.User, new System.Net.NetworkCredential("", PostgresServer.Password).SecurePassword);
        vars["Pw"] = new System.Net.NetworkCredential("", "Viaconn-Pass-3").SecurePassword;
        // Without -Database the journal goes to this session's KOLIBRI_HOME/backups.
        var result = Session.Run("""
            $env:KOLIBRI_HOME = $Dir
            try {
                $c = @{ ConnectionString = $Cs; DatabaseCredential = $Credential; Verbose = $true }
                $plan = Get-FacilityImportPlan @c -Path $Csv
                $plan
                $import = Import-FacilityUsers @c -Plan $plan -Confirm:$false -PassThru
                $import
                New-FacilityUser @c -Username viaconn -FullName 'Via Conn' -Password $Pw -PassThru
                $import | Undo-FacilityImport @c -Confirm:$false -PassThru
                Set-FacilityUser @c -Username nobody -FullName 'No Body'
            } finally { $env:KOLIBRI_HOME = $null }
            """, vars);

        Assert.True(result.Output.Count == 4, string.Join("; ", result.ErrorIds.Concat(result.Errors.Select(e => e.ToString())).Append(result.Terminating?.ToString())) + " | " + string.Join("; ", result.Output.Select(o => o.BaseObject.GetType().Name)));
        Assert.Equal(["UserNotFound,KolibriFacility.PowerShell.Commands.SetFacilityUserCommand", "ImportHasErrors,KolibriFacility.PowerShell.Commands.SetFacilityUserCommand"], result.ErrorIds);
        Assert.StartsWith("postgres://kolibri@127.0.0.1:", (string)result.Output[0].Properties["DatabasePath"].Value, StringComparison.Ordinal);
        var import = result.Output[1];
        Assert.Equal(1, ((dynamic)import.Properties["Summary"].Value).UsersCreated);
        Assert.StartsWith(Home.File("backups"), (string)import.Properties["JournalPath"].Value, StringComparison.Ordinal);
        Assert.Equal("viaconn", result.Output[2].Properties["Username"].Value);
        Assert.True((int)result.Output[3].Properties["ChangesUndone"].Value > 2);
        Assert.Equal(before.Append("viaconn:Via Conn:0:0").Order(StringComparer.Ordinal), State());
        Assert.True(KolibriPasswords.Match("Viaconn-Pass-3", Database.Scalar("SELECT password FROM kolibriauth_facilityuser WHERE username = 'viaconn'")));

        var journals = Directory.GetFiles(Home.File("backups"));
        Assert.Equal(2, journals.Count(f => f.EndsWith(".journal.jsonl", StringComparison.Ordinal)));
        var shown = string.Join("\n", result.Output.Select(o => PSSerializer.Serialize(o, 4))
            .Concat(result.Verbose).Concat(result.Warnings).Concat(result.HostLines)
            .Concat(result.Errors.Select(e => e + "|" + e.Exception + "|" + e.ErrorDetails?.RecommendedAction + "|" + e.TargetObject))
            .Concat(journals.Select(File.ReadAllText)));
        Assert.DoesNotContain(PostgresServer.Password, shown, StringComparison.Ordinal);
        Assert.DoesNotContain("Viaconn-Pass-3", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_made_over_a_ConnectionString_applies_only_with_that_connection_string_again()
    {
        Open("postgres");
        WriteEditedExport();
        using var other = server.CreateDatabase();
        var vars = Vars;
        vars["Cs"] = Database.ConnectionString;
        vars["OtherCs"] = other.ConnectionString;
        var before = (Database.Digest(), other.Sql("SELECT count(*) FROM kolibriauth_facilityuser"));

        var alone = Session.Run("$plan = Get-FacilityImportPlan -ConnectionString $Cs -Path $Csv; Import-FacilityUsers -Plan $plan -Confirm:$false", vars);
        var error = Assert.Single(alone.ErrorIds);
        Assert.Equal("ImportPlanMismatch,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand", error);
        Assert.Contains("pass -ConnectionString (and -DatabaseCredential) again", (alone.Terminating ?? alone.Errors[0]).Exception.Message, StringComparison.Ordinal);
        // The fixture's copies have the same facility and users: only the database tells them apart.
        var elsewhere = Session.Run("Import-FacilityUsers -Plan $plan -ConnectionString $OtherCs -Confirm:$false", vars);
        Assert.Equal(["ImportPlanMismatch,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand"], elsewhere.ErrorIds);
        var home = Session.Run("Import-FacilityUsers -Plan $plan -Database $Db -Confirm:$false", vars);
        Assert.Equal(["ImportPlanMismatch,KolibriFacility.PowerShell.Commands.ImportFacilityUsersCommand"], home.ErrorIds);
        Assert.Equal(before, (Database.Digest(), other.Sql("SELECT count(*) FROM kolibriauth_facilityuser")));

        vars["Dir"] = Home.Path;
        var applied = Session.Run("$env:KOLIBRI_HOME = $Dir; try { $applied = Import-FacilityUsers -Plan $plan -ConnectionString $Cs -Confirm:$false -PassThru; $applied } finally { $env:KOLIBRI_HOME = $null }", vars);
        Assert.Empty(applied.ErrorIds);
        Assert.Equal(1, ((dynamic)Assert.Single(applied.Output).Properties["Summary"].Value).UsersCreated);

        // Its journal, too, names the database without the password: the undo needs the connection string again.
        var changed = Database.Digest();
        var undo = Session.Run("$applied | Undo-FacilityImport -Confirm:$false", vars);
        var refused = Assert.Single(undo.Errors.Concat(undo.Terminating is null ? [] : [undo.Terminating]));
        Assert.Equal("UndoWrongDatabase,KolibriFacility.PowerShell.Commands.UndoFacilityImportCommand", refused.FullyQualifiedErrorId);
        Assert.Contains("pass -ConnectionString (and -DatabaseCredential) again", refused.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(changed, Database.Digest());
    }
}
