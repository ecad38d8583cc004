using System.Management.Automation;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>
/// Backups on a PostgreSQL-backed Kolibri through the cmdlets (docs/PostgreSQL.md, Backups and restore): the pg_dump an
/// import takes, Get-FacilityBackup listing it, Restore-FacilityDatabase putting it back, and what they say without pg_dump.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresBackupCmdletTests(PostgresServer server) : HostedModuleTest
{
    private const string ToolsVariable = "KOLIBRIFACILITY_PG_BIN";
    private PostgresTestDatabase? database;

    private PostgresTestDatabase Postgres => database ??= server.CreateDatabase();

    protected override Dictionary<string, object?> Vars => new()
    {
        ["Db"] = Postgres.Home.Path,
        ["Dir"] = Home.Path,
        ["Cs"] = Postgres.ConnectionString,
        ["Csv"] = Csv(),
        ["NoTools"] = Directory.CreateDirectory(Home.File("no-tools")).FullName,
        ["Backups"] = Postgres.Home.File("backups"),
    };

    protected override void Dispose(bool disposing)
    {
        Environment.SetEnvironmentVariable(ToolsVariable, null);
        database?.Dispose();
        base.Dispose(disposing);
    }

    /// <summary>Kolibri's export of the PostgreSQL fixture plus one new learner.</summary>
    private string Csv()
    {
        var path = Home.File("term2.csv");
        if (!File.Exists(path))
        {
            var lines = File.ReadAllLines(PostgresServer.Fixture("users-export.csv")).Append(",newbie,pass-123,New Learner,LEARNER,,,,,");
            File.WriteAllText(path, string.Concat(lines.Select(l => l + "\r\n")), new System.Text.UTF8Encoding(false));
        }

        return path;
    }

    private int Newbies() => int.Parse(Postgres.Sql("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'newbie'"), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Everything a script showed: output, verbose, warnings, errors and host lines.</summary>
    private static string Shown(ScriptResult result) => string.Join("\n",
        result.Output.Select(o => string.Join(";", o.Properties.Select(p => p.Value?.ToString())))
            .Concat(result.Verbose).Concat(result.Warnings).Concat(result.HostLines)
            .Concat(result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]).Select(e => e + " " + e.ErrorDetails?.RecommendedAction)));

    [Fact]
    public void An_import_takes_a_pg_dump_that_Get_FacilityBackup_lists_and_Restore_FacilityDatabase_puts_back()
    {
        var import = Ok("Import-FacilityUsers -Database $Db -Path $Csv -Confirm:$false -Verbose -InformationVariable info; $info | ForEach-Object { \"$_\" }");
        Assert.Equal(1, Newbies());
        var backupLine = Assert.Single(import.Verbose, v => v.StartsWith("Backup of the database before the import: ", StringComparison.Ordinal));
        Assert.EndsWith(".pgdump", backupLine, StringComparison.Ordinal);
        Assert.Contains(import.Output, o => o.ToString()!.Contains("Backup of the database before the import: " + Postgres.Home.File("backups"), StringComparison.Ordinal));
        Assert.Empty(import.Warnings);

        var listed = Ok("Get-FacilityBackup -Database $Db");
        var entry = Assert.Single(listed.Output);
        Assert.Equal("Import", entry.Properties["Kind"].Value.ToString());
        Assert.EndsWith(".pgdump", (string)entry.Properties["Path"].Value, StringComparison.Ordinal);
        Assert.Equal(Postgres.Home.Path, entry.Properties["Database"].Value);
        Assert.Equal(1, entry.Properties["Changes"].Value);

        var whatIf = Run("Get-FacilityBackup -Database $Db | Restore-FacilityDatabase -WhatIf");
        Assert.Single(whatIf.WhatIf);
        Assert.Equal(1, Newbies());

        var restore = Ok("Get-FacilityBackup -Database $Db | Restore-FacilityDatabase -Confirm:$false -PassThru");
        Assert.Equal(0, Newbies());
        var safety = (string)restore.Output[0].Properties["SafetyCopyPath"].Value;
        Assert.EndsWith(".pgdump", safety, StringComparison.Ordinal);
        Assert.Equal(["Restore", "Import"], Ok("Get-FacilityBackup -Database $Db").Output.Select(o => o.Properties["Kind"].Value.ToString()!));

        var viaConnection = Ok("Get-FacilityBackup -ConnectionString $Cs -BackupFolder $Backups");
        Assert.Equal(2, viaConnection.Output.Count);
        Assert.DoesNotContain(PostgresServer.Password, Shown(import) + Shown(listed) + Shown(restore) + Shown(viaConnection));
    }

    [Fact]
    public void Without_pg_dump_the_import_says_the_journal_is_what_is_kept_and_a_restore_names_the_command_to_run()
    {
        Ok("Import-FacilityUsers -Database $Db -Path $Csv -Confirm:$false");
        var dump = (string)Ok("Get-FacilityBackup -Database $Db").Output[0].Properties["Path"].Value;
        File.AppendAllText(Csv(), ",newbie2,pass-456,Second Learner,LEARNER,,,,,\r\n");

        var import = Ok($"$env:{ToolsVariable} = $NoTools; Import-FacilityUsers -Database $Db -Path $Csv -Confirm:$false -InformationVariable info; $info | ForEach-Object {{ \"$_\" }}");

        var warning = Assert.Single(import.Warnings);
        Assert.StartsWith("No backup of the database was taken before the import: no pg_dump was found in the folder " + ToolsVariable + " names ('" + Home.File("no-tools") + "')", warning, StringComparison.Ordinal);
        Assert.Contains(".journal.jsonl' is kept: Undo-FacilityImport -JournalPath '", warning, StringComparison.Ordinal);
        var outcome = string.Join("\n", import.Output.Select(o => o.ToString()));
        Assert.Contains("No backup of the database was made (no pg_dump was found", outcome, StringComparison.Ordinal);
        Assert.DoesNotContain("-NoBackup", outcome, StringComparison.Ordinal);
        var kinds = Ok("Get-FacilityBackup -Database $Db").Output.Select(o => o.Properties["Kind"].Value.ToString()).ToList();
        Assert.Equal(["JournalOnly", "Import"], kinds);

        var undo = Ok("Undo-FacilityImport -Database $Db -Last -Confirm:$false");
        Assert.StartsWith("No backup of the database was taken before the undo: no pg_dump was found", Assert.Single(undo.Warnings), StringComparison.Ordinal);
        Assert.Equal("0", Postgres.Sql("SELECT count(*) FROM kolibriauth_facilityuser WHERE username = 'newbie2'"));

        var restore = Run($"Restore-FacilityDatabase -Database $Db -Path '{dump}' -Confirm:$false");
        var error = restore.Terminating ?? Assert.Single(restore.Errors);
        Assert.StartsWith("PostgresToolNotFound,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Contains("pg_restore --clean --if-exists --single-transaction --exit-on-error --no-owner", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(dump, error.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(1, Newbies());
        Assert.DoesNotContain(PostgresServer.Password, Shown(import) + Shown(undo) + Shown(restore));
    }

    [Fact]
    public void A_restore_refuses_while_kolibri_runs_on_the_home_and_an_sqlite_backup_for_postgresql()
    {
        Ok("Import-FacilityUsers -Database $Db -Path $Csv -Confirm:$false");
        // Kolibri's server.pid naming a live process (this one).
        File.WriteAllText(Postgres.Home.File("server.pid"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
        var refused = Run("Get-FacilityBackup -Database $Db | Restore-FacilityDatabase -Confirm:$false");
        var error = refused.Terminating ?? Assert.Single(refused.Errors);
        Assert.StartsWith("KolibriRunning,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("server.pid", error.Exception.Message, StringComparison.Ordinal);
        File.Delete(Postgres.Home.File("server.pid"));

        var sqlite = Home.File("db-x-20260101T000000Z.sqlite3");
        File.Copy(Db, sqlite);
        var wrongKind = Run($"Restore-FacilityDatabase -Database $Db -Path '{sqlite}' -Confirm:$false");
        Assert.StartsWith("BackupEngineMismatch,", (wrongKind.Terminating ?? Assert.Single(wrongKind.Errors)).FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(1, Newbies());
    }
}
