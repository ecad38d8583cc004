using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>Undo-FacilityImport, Get-FacilityBackup and Restore-FacilityDatabase in the real PowerShell engine, on copies of the fixture.</summary>
public sealed class UndoCmdletTests : HostedModuleTest
{
    private const string Undo = "KolibriFacility.PowerShell.Commands.UndoFacilityImportCommand";
    private const string Restore = "KolibriFacility.PowerShell.Commands.RestoreFacilityDatabaseCommand";

    /// <summary>Kolibri's export without learner11 and learner14, plus a new learner: two deletions and a creation.</summary>
    private string Csv()
    {
        var lines = File.ReadAllLines(TestPaths.Fixture("users-export.csv"))
            .Where(l => !l.Contains(",learner11,", StringComparison.Ordinal) && !l.Contains(",learner14,", StringComparison.Ordinal)).ToList();
        var header = lines[0].Split(',');
        var row = new string[header.Length];
        for (var i = 0; i < header.Length; i++)
        {
            row[i] = header[i].Trim('"', '\uFEFF') switch
            {
                var h when h.StartsWith("Username", StringComparison.Ordinal) => "newbie",
                var h when h.StartsWith("Password", StringComparison.Ordinal) => "pass-123",
                var h when h.StartsWith("Full name", StringComparison.Ordinal) => "New Learner",
                var h when h.StartsWith("User type", StringComparison.Ordinal) => "LEARNER",
                _ => "",
            };
        }

        lines.Add(string.Join(",", row));
        var path = Home.File("term2.csv");
        File.WriteAllText(path, string.Concat(lines.Select(l => l + "\r\n")), new System.Text.UTF8Encoding(false));
        return path;
    }

    private List<string> Usernames() => DbFiles.Rows(Db, "SELECT username FROM kolibriauth_facilityuser ORDER BY username").Select(r => r[0]).ToList();

    private ScriptResult Import(string extra = "") => Ok($"$result = Import-FacilityUsers -Database $Db -Path '{Csv()}' -Confirm:$false -PassThru {extra}; $result");

    [Fact]
    public void WhatIf_lists_the_inverse_changes_as_a_plan_does_and_writes_nothing()
    {
        Import();
        var before = DbFiles.Sha256(Db);
        var result = Run("$result | Undo-FacilityImport -WhatIf");
        Assert.Empty(result.ErrorIds);
        Assert.Equal(before, DbFiles.Sha256(Db));
        var whatIf = result.WhatIf.ToList();
        Assert.Contains(whatIf, l => l.Contains("Delete user 'newbie' (created by the import)", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Restore user 'learner11' with its id", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Restore user 'learner14' with its id", StringComparison.Ordinal));
        Assert.Contains(whatIf, l => l.Contains("Undo the import of", StringComparison.Ordinal) && l.Contains("Users: 2 added, 0 updated, 1 deleted", StringComparison.Ordinal));
        Assert.Equal(4, whatIf.Count);
    }

    [Fact]
    public void The_import_result_pipes_into_the_undo_and_every_user_comes_back()
    {
        var before = Usernames();
        Import();
        Assert.NotEqual(before, Usernames());

        var result = Ok("$result | Undo-FacilityImport -Confirm:$false -PassThru");
        var undone = Assert.Single(result.Output);
        Assert.Equal(3, undone.Properties["ChangesUndone"].Value);
        Assert.Equal(before, Usernames());
        Assert.True(File.Exists((string)undone.Properties["BackupPath"].Value));
    }

    [Fact]
    public void Confirm_No_changes_nothing()
    {
        Import();
        var before = DbFiles.Sha256(Db);
        Session.Host.Answers.Enqueue("No");
        var result = Run("$result | Undo-FacilityImport -Confirm");
        Assert.Empty(result.ErrorIds);
        Assert.Contains(Session.Host.Prompts, p => p.Contains("Undo the import of", StringComparison.Ordinal));
        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void Last_undoes_the_newest_import_once_then_says_there_is_none()
    {
        var before = Usernames();
        Import();
        Ok("Undo-FacilityImport -Database $Db -Last -Confirm:$false");
        Assert.Equal(before, Usernames());

        var again = Run("Undo-FacilityImport -Database $Db -Last -Confirm:$false");
        Assert.Equal(["NoImportToUndo," + Undo], again.ErrorIds);
        var twice = Run("$result | Undo-FacilityImport -Confirm:$false");
        Assert.Equal(["ImportAlreadyUndone," + Undo], twice.ErrorIds);
    }

    [Fact]
    public void A_user_changed_since_is_reported_with_its_refusal_id_and_left_as_it_is()
    {
        Import();
        Sql("UPDATE kolibriauth_facilityuser SET full_name = 'Edited Since' WHERE username = 'newbie'");
        var result = Ok("$result | Undo-FacilityImport -Confirm:$false -PassThru");
        Assert.Contains(result.Warnings, w => w.StartsWith("[UndoChangedSince]", StringComparison.Ordinal) && w.Contains("newbie", StringComparison.Ordinal) && w.Contains("full_name", StringComparison.Ordinal));
        Assert.Contains("newbie", Usernames());
        Assert.Contains("learner11", Usernames());
        var refused = (System.Collections.IEnumerable)result.Output[0].Properties["Refused"].Value;
        Assert.Single(refused.Cast<object>());
    }

    [Fact]
    public void A_file_that_is_no_journal_and_a_missing_one_are_clear_errors()
    {
        var text = Home.File("notes.journal.jsonl");
        File.WriteAllText(text, "hello\n");
        Assert.Equal(["ImportJournalInvalid," + Undo], Run($"Undo-FacilityImport -Database $Db -JournalPath '{text}' -Confirm:$false").ErrorIds);
        Assert.Equal(["FileNotFound," + Undo], Run($"Undo-FacilityImport -Database $Db -JournalPath '{Home.File("gone.journal.jsonl")}' -Confirm:$false").ErrorIds);
    }

    [Fact]
    public void Get_FacilityBackup_lists_backups_with_their_import_and_journal_only_imports()
    {
        Import();
        Ok($"Import-FacilityUsers -Database $Db -Path '{Csv()}' -Confirm:$false -NoBackup");   // only newbie's password: a journal, no backup
        var result = Ok("Get-FacilityBackup -Database $Db");
        Assert.Equal(2, result.Output.Count);
        Assert.Equal("JournalOnly", result.Output[0].Properties["Kind"].Value.ToString());
        Assert.Null(result.Output[0].Properties["Path"].Value);
        Assert.Equal("Import", result.Output[1].Properties["Kind"].Value.ToString());
        Assert.Equal("Demo Facility", result.Output[1].Properties["Facility"].Value);
        Assert.Equal(true, result.Output[1].Properties["HasJournal"].Value);
        Assert.True((long)result.Output[1].Properties["Size"].Value > 0);
        Assert.Empty(Ok("Get-FacilityBackup -Database $Db -Facility 'Other*'").Output);
    }

    [Fact]
    public void Restore_from_a_listed_backup_puts_the_database_back_after_a_safety_copy()
    {
        var before = Usernames();
        Import();
        var whatIf = Run("(Get-FacilityBackup -Database $Db)[0] | Restore-FacilityDatabase -WhatIf");
        Assert.Empty(whatIf.ErrorIds);
        Assert.Single(whatIf.WhatIf);
        Assert.NotEqual(before, Usernames());

        var result = Ok("(Get-FacilityBackup -Database $Db)[0] | Restore-FacilityDatabase -Confirm:$false -PassThru");
        Assert.Equal(before, Usernames());
        var safety = (string)result.Output[0].Properties["SafetyCopyPath"].Value;
        Assert.True(File.Exists(safety));
        Assert.Contains("before-restore", safety, StringComparison.Ordinal);
        Assert.Contains(Ok("Get-FacilityBackup -Database $Db").Output, o => o.Properties["Kind"].Value.ToString() == "Restore");

        // Backups are single files (rollback journal): checking and restoring them leaves no -wal/-shm beside them,
        // and the restored database keeps Kolibri's WAL mode.
        var folder = Path.GetDirectoryName(safety)!;
        Assert.DoesNotContain(Directory.GetFiles(folder), f => f.EndsWith("-wal", StringComparison.Ordinal) || f.EndsWith("-shm", StringComparison.Ordinal));
        Assert.All(Directory.GetFiles(folder, "*.sqlite3"), backup => Assert.Equal("delete", JournalMode(backup)));
        Assert.Equal("wal", JournalMode(Db));
    }

    private static string JournalMode(string path)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        return (string)command.ExecuteScalar()!;
    }

    [Fact]
    public void Restore_refuses_while_Kolibri_runs_unless_Force_and_refuses_a_damaged_backup()
    {
        Import();
        // server.pid naming a live process (this test's own) is how Kolibri tells that it runs.
        File.WriteAllText(Home.File("server.pid"), Environment.ProcessId + "\n8080\n\n0\n");
        var before = DbFiles.Sha256(Db);
        var refused = Run("(Get-FacilityBackup -Database $Db)[0] | Restore-FacilityDatabase -Confirm:$false");
        Assert.Equal(["KolibriRunning," + Restore], refused.ErrorIds);
        Assert.Equal(before, DbFiles.Sha256(Db));
        Ok("(Get-FacilityBackup -Database $Db)[0] | Restore-FacilityDatabase -Confirm:$false -Force");
        File.Delete(Home.File("server.pid"));

        var damaged = Home.File("damaged.sqlite3");
        File.WriteAllBytes(damaged, [.. File.ReadAllBytes(Db).Take(8192)]);
        before = DbFiles.Sha256(Db);
        var error = Run($"Restore-FacilityDatabase -Database $Db -Path '{damaged}' -Confirm:$false");
        Assert.Equal(["BackupDamaged," + Restore], error.ErrorIds);
        Assert.Equal(before, DbFiles.Sha256(Db));
    }
}
