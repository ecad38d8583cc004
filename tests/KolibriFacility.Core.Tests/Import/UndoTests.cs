using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>The import journal and the undo built from it, on real copies of the fixture (docs/Undo.md).</summary>
public sealed class UndoTests : IDisposable
{
    /// <summary>The tables an import and its undo touch, compared whole (the dirty bit aside, which every write sets).</summary>
    private static readonly string[] Tables =
    [
        "kolibriauth_facilityuser", "kolibriauth_membership", "kolibriauth_role", "kolibriauth_collection", "logger_contentsessionlog",
        "logger_contentsummarylog", "logger_attemptlog", "logger_masterylog", "logger_usersessionlog", "lessons_lesson",
        "lessons_lessonassignment", "exams_exam", "exams_examassignment",
    ];

    private readonly TempFolder folder = new();
    private readonly string path;
    private readonly Facility facility;
    private readonly List<ImportRow> current;

    public UndoTests()
    {
        path = folder.CopyFixtureDatabase();
        using var db = KolibriDatabase.OpenRead(path);
        facility = db.DefaultFacility();
        current = RowsOf(db, facility);
    }

    public void Dispose() => folder.Dispose();

    private ImportRow Row(string username) => current.Single(r => r.Username == username);

    /// <summary>Renames learner01 with a new password, creates newkid in a new class, deletes learner12 (with progress) and fcoach3 (with lessons).</summary>
    private ImportResult Import(bool backup = true)
    {
        var rows = current.Where(r => r.Username is not ("learner12" or "fcoach3")).ToList();
        rows[rows.FindIndex(r => r.Username == "learner01")] = Row("learner01") with { FullName = "Renamed Person", Password = "n3w-pass" };
        rows.Add(NewRow(100, "newkid", UserType.CLASS_COACH, password: "kid-pass", enrolled: ["Class A", "Brand New"], assigned: ["Brand New"]));
        var document = Document(rows);
        using var db = KolibriDatabase.OpenRead(path);
        var plan = new ImportPlanner(db).Plan(facility, document, new ImportOptions());
        Assert.False(plan.IsRefused, plan.RefusalReason);
        return ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = path, Backup = backup, HashParallelism = 2 });
    }

    private static UndoResult Undo(string journal, string database) =>
        UndoApplier.Apply(ImportJournal.Read(journal), new UndoApplyOptions { DatabasePath = database });

    private string Snapshot()
    {
        var text = new StringBuilder();
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        foreach (var table in Tables)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM {table} ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                text.Append(table);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (reader.GetName(i) != "_morango_dirty_bit") text.Append('|').Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    private void Execute(string sql, params (string, object)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        command.ExecuteNonQuery();
    }

    private long Count(string sql, params (string, object)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void The_journal_sits_beside_the_backup_owner_only_with_every_row_the_import_replaced_and_no_csv_password()
    {
        var result = Import();

        Assert.NotNull(result.JournalPath);
        Assert.Equal(ImportJournal.PathFor(result.BackupPath!), result.JournalPath);
        Assert.EndsWith(".journal.jsonl", result.JournalPath);
        Assert.Equal(Path.GetFileNameWithoutExtension(result.BackupPath), Path.GetFileName(result.JournalPath)[..^".journal.jsonl".Length]);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.JournalPath!));
        }

        var text = File.ReadAllText(result.JournalPath!);
        Assert.DoesNotContain("n3w-pass", text);
        Assert.DoesNotContain("kid-pass", text);
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(result.JournalPath)!, ".*"));

        var journal = ImportJournal.Read(result.JournalPath!);
        Assert.Equal(facility.Id, journal.FacilityId);
        Assert.Equal(result.BackupPath, journal.BackupPath);
        Assert.Equal(result.Plan.Changes.Select(c => c.Id), journal.Changes.Select(c => c.Id).Order());

        // The deleted learner: its row with the password hash Kolibri stored, its memberships and every progress row.
        var learner = Row("learner12").Uuid!;
        var deleted = journal.Ops.Where(o => o.Kind == "delete").ToList();
        var userRow = Assert.Single(deleted, o => o.Row.Table == "kolibriauth_facilityuser" && o.Row.Id == learner).Row;
        Assert.StartsWith("pbkdf2_sha256$", (string)userRow["password"]!);
        var attempts = deleted.Count(o => o.Row.Table == "logger_attemptlog" && (string?)o.Row["user_id"] == learner);
        Assert.True(attempts > 0);
        Assert.All(deleted.Where(o => o.Row.Has("user_id") && (string?)o.Row["user_id"] == learner),
            o => Assert.Equal(journal.Changes.Single(c => c.UserId == learner).Id, o.Change));

        // The update keeps the row before and after; the creations keep what the import wrote.
        var update = Assert.Single(journal.Ops, o => o.Kind == "update");
        Assert.Equal("Renamed Person", update.After!["full_name"]);
        Assert.NotEqual("Renamed Person", update.Row["full_name"]);
        Assert.NotEqual(update.Row["password"], update.After!["password"]);
        Assert.Single(journal.Ops, o => o.Kind == "insert" && o.Row.Table == "kolibriauth_facilityuser" && (string?)o.Row["username"] == "newkid");
    }

    [Fact]
    public void Undo_puts_back_every_row_as_it_was_with_its_ids_and_drops_the_pending_morango_deletions()
    {
        var before = Snapshot();
        var result = Import();
        Assert.NotEqual(before, Snapshot());
        var learner = Row("learner12").Uuid!;
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $u", ("$u", learner)));

        var journal = ImportJournal.Read(result.JournalPath!);
        var plan = UndoApplier.Plan(journal, path);
        Assert.Empty(plan.Refused);
        Assert.Contains(plan.Changes, c => c.Action == ImportAction.Delete && c.Description == "Delete user 'newkid' (created by the import)");
        Assert.Contains(plan.Changes, c => c.Action == ImportAction.Create && c.Kind == ImportTarget.User && c.UserId == learner && c.Description.StartsWith("Restore user 'learner12'", StringComparison.Ordinal));
        Assert.Contains(plan.Changes, c => c.Description.StartsWith("Update user 'learner01' back: FULL_NAME 'Renamed Person' ->", StringComparison.Ordinal));
        Assert.Equal((2, 1, 1), (plan.Summary.UsersCreated, plan.Summary.UsersDeleted, plan.Summary.UsersUpdated));

        var undone = Undo(result.JournalPath!, path);
        Assert.Equal(plan.Changes.Count, undone.ChangesUndone);
        Assert.NotNull(undone.BackupPath);

        Assert.Equal(before, Snapshot());
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $u", ("$u", learner)));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $u", ("$u", learner)));
        Assert.Equal(1L, Count("SELECT _morango_dirty_bit FROM kolibriauth_facilityuser WHERE id = $u", ("$u", learner)));
        // The created user is deleted as the import deletes: recorded for morango so a peer that has it deletes it too.
        var newkid = journal.Ops.First(o => o.Kind == "insert" && o.Row.Table == "kolibriauth_facilityuser").Row.Id!;
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $u", ("$u", newkid)));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM pragma_foreign_key_check"));

        Assert.NotNull(ImportJournal.Read(result.JournalPath!).UndoneAt);
        var again = Assert.Throws<UndoException>(() => Undo(result.JournalPath!, path));
        Assert.Equal(UndoProblem.AlreadyUndone, again.Problem);
    }

    [Fact]
    public void Rows_changed_since_the_import_are_left_alone_and_reported()
    {
        var result = Import();
        var newkid = Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'newkid'");
        Assert.Equal(1L, newkid);
        // Since the import: Kolibri renamed learner01 again, newkid recorded progress, and a new learner12 was made.
        Execute("UPDATE kolibriauth_facilityuser SET full_name = 'Changed In Kolibri' WHERE username = 'learner01'");
        Execute("""
            INSERT INTO logger_contentsessionlog (id, _morango_dirty_bit, _morango_source_id, _morango_partition, content_id, channel_id, start_timestamp,
                end_timestamp, time_spent, progress, kind, extra_fields, user_id, dataset_id)
            SELECT 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 1, 'x', 'p', 'c0000000000000000000000000000000', 'c0000000000000000000000000000000', '2026-01-01 00:00:00',
                '2026-01-01 00:00:00', 5.0, 0.5, 'video', '{}', id, dataset_id FROM kolibriauth_facilityuser WHERE username = 'newkid'
            """);
        Execute("""
            INSERT INTO kolibriauth_facilityuser (password, id, _morango_dirty_bit, _morango_source_id, _morango_partition, username, full_name, date_joined,
                dataset_id, facility_id, birth_year, gender, id_number)
            SELECT 'x', 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 1, 's', 'p', 'LEARNER12', 'Another', date_joined, dataset_id, facility_id, '', '', ''
            FROM kolibriauth_facilityuser WHERE username = 'learner01'
            """);

        var plan = UndoApplier.Plan(ImportJournal.Read(result.JournalPath!), path);
        Assert.Contains(plan.Refused, r => r.Username == "learner01" && r.RefusalId == UndoRefusalIds.ChangedSince && r.Reason.Contains("full_name", StringComparison.Ordinal));
        Assert.Contains(plan.Refused, r => r.Username == "newkid" && r.RefusalId == UndoRefusalIds.ProgressSince && r.Reason.Contains("logger_contentsessionlog", StringComparison.Ordinal));
        Assert.Contains(plan.Refused, r => r.Username == "learner12" && r.RefusalId == UndoRefusalIds.RecreatedSince);
        Assert.DoesNotContain(plan.Changes, c => c.Username is "learner01" or "learner12" && c.Kind == ImportTarget.User);

        var undone = Undo(result.JournalPath!, path);
        Assert.Equal(plan.Refused.Select(r => r.ChangeId), undone.Refused.Select(r => r.ChangeId));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE full_name = 'Changed In Kolibri'"));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'newkid'"));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM logger_contentsessionlog WHERE id = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'"));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", Row("learner12").Uuid!)));
        // The other deleted user comes back.
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", Row("fcoach3").Uuid!)));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM pragma_foreign_key_check"));
    }

    [Fact]
    public void Without_a_backup_the_journal_still_goes_to_the_backup_folder_and_the_undo_works_from_it()
    {
        var before = Snapshot();
        var result = Import(backup: false);
        Assert.Null(result.BackupPath);
        Assert.Equal(Path.Combine(folder.Path, "backups"), Path.GetDirectoryName(result.JournalPath));
        Assert.False(File.Exists(ImportJournal.BackupPathFor(result.JournalPath!)));
        Assert.Equal(result.JournalPath, ImportJournal.Last(Path.Combine(folder.Path, "backups"), facility.Id)!.Path);

        Undo(result.JournalPath!, path);
        Assert.Equal(before, Snapshot());
        Assert.Null(ImportJournal.Last(Path.Combine(folder.Path, "backups"), facility.Id));
    }

    [Fact]
    public void A_failed_import_leaves_neither_backup_nor_journal()
    {
        var rows = current.ToList();
        rows.Add(NewRow(100, "newkid", password: "kid-pass"));
        var document = Document(rows);
        using var cancellation = new CancellationTokenSource();
        using (var db = KolibriDatabase.OpenRead(path))
        {
            var plan = new ImportPlanner(db).Plan(facility, document, new ImportOptions());
            var options = new ImportApplyOptions
            {
                DatabasePath = path,
                HashParallelism = 1,
                Progress = new CancelOnWrite(cancellation),
            };
            Assert.ThrowsAny<OperationCanceledException>(() => ImportApplier.Apply(plan, document, options, cancellation.Token));
        }

        var backups = Path.Combine(folder.Path, "backups");
        Assert.True(!Directory.Exists(backups) || Directory.GetFiles(backups).Length == 0);
    }

    [Fact]
    public void Pruning_deletes_a_journal_with_its_backup()
    {
        var first = Import();
        Execute("UPDATE kolibriauth_facilityuser SET full_name = 'x' WHERE username = 'learner02'");
        var rows = current.ToList();
        var document = Document(rows.Where(r => r.Username is not ("learner12" or "fcoach3")).Append(NewRow(101, "other", password: "p-1")));
        using (var db = KolibriDatabase.OpenRead(path))
        {
            var plan = new ImportPlanner(db).Plan(facility, document, new ImportOptions { NoDelete = true });
            ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = path, BackupsToKeep = 1, HashParallelism = 1 });
        }

        Assert.False(File.Exists(first.BackupPath));
        Assert.False(File.Exists(first.JournalPath));
        Assert.Equal(2, Directory.GetFiles(Path.Combine(folder.Path, "backups")).Length);
    }

    [Fact]
    public void A_class_the_import_created_that_has_a_lesson_since_is_kept_and_the_rest_is_undone()
    {
        var result = Import();
        var brandNew = ImportJournal.Read(result.JournalPath!).Ops.Single(o => o.Kind == "insert" && o.Row.Table == "kolibriauth_collection").Row.Id!;
        Execute("""
            INSERT INTO lessons_lesson (id, _morango_dirty_bit, _morango_source_id, _morango_partition, description, resources, is_active, collection_id, dataset_id, title, date_created)
            VALUES ('cccccccccccccccccccccccccccccccc', 1, 's', 'p', '', '[]', 1, $c, $d, 'Made since', '2026-01-01 00:00:00')
            """, ("$c", brandNew), ("$d", facility.DatasetId));

        var undone = Undo(result.JournalPath!, path);
        var refusal = Assert.Single(undone.Refused);
        Assert.Equal(UndoRefusalIds.RecordsSince, refusal.RefusalId);
        Assert.Equal("Brand New", refusal.ClassName);
        Assert.Contains("lessons_lesson: 1", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $c", ("$c", brandNew)));
        Assert.Equal(0L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'newkid'"));
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", Row("learner12").Uuid!)));
    }

    [Fact]
    public void Rows_that_would_come_back_pointing_at_a_class_deleted_since_stop_the_whole_undo()
    {
        var result = Import();
        var learner = Row("learner12").Uuid!;
        var classes = ImportJournal.Read(result.JournalPath!).Ops
            .Where(o => o.Kind == "delete" && o.Row.Table == "kolibriauth_membership" && (string?)o.Row["user_id"] == learner)
            .Select(o => (string)o.Row["collection_id"]!).ToList();
        Assert.NotEmpty(classes);
        using (var db = KolibriDatabase.OpenWrite(path))
        using (var transaction = db.Connection.BeginTransaction())
        {
            new CascadeDeleter(db, transaction).Delete("kolibriauth_collection", classes, hardDelete: false);
            transaction.Commit();
        }

        var before = Snapshot();
        var ex = Assert.Throws<UndoException>(() => Undo(result.JournalPath!, path));
        Assert.Equal(UndoProblem.BrokenReferences, ex.Problem);
        Assert.Contains("kolibriauth_membership", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot());
        Assert.Null(ImportJournal.Read(result.JournalPath!).UndoneAt);
    }

    [Fact]
    public void A_class_rename_is_journalled_and_its_undo_renames_it_back()
    {
        var classA = Count("SELECT COUNT(*) FROM kolibriauth_collection WHERE name = 'Class A'");
        Assert.Equal(1L, classA);
        var edits = new FacilityEdits();
        edits.Classes.Add(new ClassEdit { Action = ClassEditAction.Rename, Name = "Class A", NewName = "Class A (2026)" });
        ImportResult result;
        using (var db = KolibriDatabase.OpenRead(path))
        {
            var plan = new ImportPlanner(db).Plan(facility, edits, new ImportOptions());
            Assert.False(plan.IsRefused, plan.RefusalReason);
            result = ImportApplier.Apply(plan, edits, new ImportApplyOptions { DatabasePath = path, Backup = false });
        }

        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_collection WHERE name = 'Class A (2026)'"));
        var undo = UndoApplier.Plan(ImportJournal.Read(result.JournalPath!), path);
        Assert.Equal("Rename class 'Class A (2026)' back to 'Class A'", Assert.Single(undo.Changes).Description);
        Undo(result.JournalPath!, path);
        Assert.Equal(1L, Count("SELECT COUNT(*) FROM kolibriauth_collection WHERE name = 'Class A'"));
    }

    private sealed class CancelOnWrite(CancellationTokenSource source) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value)
        {
            if (value.Stage == ImportApplier.WritingStage) source.Cancel();
        }
    }
}
