using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

public sealed class ApplierTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string path;
    private readonly Facility facility;
    private readonly List<ImportRow> current;

    public ApplierTests()
    {
        path = folder.CopyFixtureDatabase();
        using var db = KolibriDatabase.OpenRead(path);
        facility = db.DefaultFacility();
        current = RowsOf(db, facility);
    }

    public void Dispose() => folder.Dispose();

    private ImportPlan Plan(UsersCsvDocument document, ImportOptions? options = null, string? databasePath = null)
    {
        using var db = KolibriDatabase.OpenRead(databasePath ?? path);
        return new ImportPlanner(db).Plan(db.DefaultFacility(), document, options ?? new ImportOptions());
    }

    private ImportResult Apply(ImportPlan plan, UsersCsvDocument document, ImportApplyOptions? options = null,
        CancellationToken cancellation = default) =>
        ImportApplier.Apply(plan, document, options ?? new ImportApplyOptions { DatabasePath = plan.DatabasePath, HashParallelism = 2 }, cancellation);

    private ImportRow Row(string username) => current.Single(r => r.Username == username);

    private List<ImportRow> Replace(ImportRow row) => current.Select(r => r.Uuid == row.Uuid ? row : r).ToList();

    private T Scalar<T>(string sql, params (string, object)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private void AssertForeignKeysIntact()
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA foreign_key_check";
        using var reader = command.ExecuteReader();
        Assert.False(reader.Read(), reader.HasRows ? $"foreign key broken in {reader.GetString(0)} (row {reader.GetValue(1)}) -> {reader.GetString(2)}" : "");
    }

    private string State() => Plan(Document(current)).Fingerprint.Users + Plan(Document(current)).Fingerprint.Memberships + Plan(Document(current)).Fingerprint.Roles
        + Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels") + "/" + Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection");

    [Fact]
    public void Creates_updates_and_deletes_are_written_as_kolibri_writes_them_and_a_second_plan_is_empty()
    {
        var learner02 = Row("learner02");
        var rows = current.Where(r => r.Username != "learner02").ToList();
        rows[rows.FindIndex(r => r.Username == "learner01")] = Row("learner01") with { FullName = "Renamed Person", Password = "n3w-pass" };
        rows.Add(NewRow(100, "newkid", UserType.CLASS_COACH, password: "kid-pass", enrolled: ["Class A", "Brand New"], assigned: ["Brand New"]) with { BirthYear = "2012", Gender = "MALE", Identifier = "X-1" });
        var document = Document(rows);
        var plan = Plan(document);
        Assert.False(plan.IsRefused, plan.RefusalReason);

        var learner02Memberships = Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $u", ("$u", learner02.Uuid!));
        var learner02Logs = Scalar<long>("SELECT COUNT(*) FROM logger_contentsessionlog WHERE user_id = $u", ("$u", learner02.Uuid!));
        Assert.True(learner02Memberships > 0);

        var reports = new List<ImportProgress>();
        var result = Apply(plan, document, new ImportApplyOptions { DatabasePath = path, Progress = new SyncProgress(p => { lock (reports) reports.Add(p); }) });
        Assert.Equal(plan.Changes.Count, result.ChangesApplied);
        Assert.Contains(new ImportProgress(ImportApplier.HashingStage, 2, 2), reports);
        Assert.Equal(new ImportProgress(ImportApplier.WritingStage, plan.Changes.Count, plan.Changes.Count), reports[^1]);
        Assert.Equal(1, result.Summary.UsersCreated);
        Assert.NotNull(result.BackupPath);

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, _morango_source_id, _morango_partition, _morango_dirty_bit, password, date_joined, birth_year, gender, id_number, dataset_id, facility_id, last_login, extra_demographics, full_name FROM kolibriauth_facilityuser WHERE username = 'newkid'";
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            var identity = MorangoId.ForUser(facility.DatasetId, reader.GetString(1));
            Assert.Equal(identity.Id, reader.GetString(0));
            Assert.Equal(identity.Partition, reader.GetString(2));
            Assert.Equal(1, reader.GetInt32(3));
            Assert.True(DjangoPassword.Verify("kid-pass", reader.GetString(4)));
            Assert.StartsWith("pbkdf2_sha256$260000$", reader.GetString(4));
            Assert.EndsWith("(Etc/UTC)", reader.GetString(5)); // the zone this Kolibri writes
            Assert.NotNull(KolibriTimestamp.Parse(reader.GetString(5)));
            Assert.Equal(("2012", "MALE", "X-1"), (reader.GetString(6), reader.GetString(7), reader.GetString(8)));
            Assert.Equal((facility.DatasetId, facility.Id), (reader.GetString(9), reader.GetString(10)));
            Assert.True(reader.IsDBNull(11));
            Assert.True(reader.IsDBNull(12));
            var newId = reader.GetString(0);

            var newClass = Scalar<string>("SELECT id FROM kolibriauth_collection WHERE name = 'Brand New' AND kind = 'classroom' AND parent_id = $f", ("$f", facility.Id));
            var source = Scalar<string>("SELECT _morango_source_id FROM kolibriauth_collection WHERE id = $c", ("$c", newClass));
            Assert.Equal(MorangoId.ForCollection("classroom", facility.DatasetId, source).Id, newClass);
            var membership = MorangoId.ForMembership(facility.DatasetId, newId, newClass);
            Assert.Equal(membership.Partition, Scalar<string>("SELECT _morango_partition FROM kolibriauth_membership WHERE id = $m AND _morango_source_id = $c AND _morango_dirty_bit = 1", ("$m", membership.Id), ("$c", newClass)));
            Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE id = $r AND kind = 'classroom assignable coach' AND collection_id = $f",
                ("$r", MorangoId.ForRole(facility.DatasetId, newId, facility.Id, RoleKinds.AssignableCoach).Id), ("$f", facility.Id)));
            Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE id = $r", ("$r", MorangoId.ForRole(facility.DatasetId, newId, newClass, RoleKinds.Coach).Id)));
        }

        Assert.Equal("Renamed Person", Scalar<string>("SELECT full_name FROM kolibriauth_facilityuser WHERE id = $u", ("$u", Row("learner01").Uuid!)));
        Assert.True(DjangoPassword.Verify("n3w-pass", Scalar<string>("SELECT password FROM kolibriauth_facilityuser WHERE id = $u", ("$u", Row("learner01").Uuid!))));

        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", learner02.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $u", ("$u", learner02.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM logger_contentsessionlog WHERE user_id = $u", ("$u", learner02.Uuid!)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $u AND profile = 'facilitydata'", ("$u", learner02.Uuid!)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $u", ("$u", learner02.Uuid!)));
        // the user, its memberships and its session logs (and whatever hangs off them) are all recorded
        Assert.True(Scalar<long>("SELECT COUNT(*) FROM morango_harddeletedmodels") >= 1 + learner02Memberships + learner02Logs);
        AssertForeignKeysIntact();

        // Applied: the same CSV now only plans its password changes again, and an export of the result plans nothing.
        var again = Plan(document);
        Assert.All(again.Changes, c => Assert.Equal([new FieldChange("PASSWORD", null, null)], c.Fields));
        Assert.Equal(["learner01", "newkid"], again.Changes.Select(c => c.Target).Order());
        using var after = KolibriDatabase.OpenRead(path);
        Assert.True(Plan(Document(RowsOf(after, facility))).IsEmpty);
    }

    [Fact]
    public void Deleting_a_user_cascades_as_kolibri_does_and_records_every_deleted_row()
    {
        var coach = Row("fcoach3");
        var learner = Row("learner12");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO device_devicepermissions (user_id, is_superuser, can_manage_content) VALUES ($u, 0, 1)";
            command.Parameters.AddWithValue("$u", learner.Uuid!);
            command.ExecuteNonQuery();
        }

        var lessons = Scalar<string>("SELECT group_concat(id) FROM lessons_lesson WHERE created_by_id = $u", ("$u", coach.Uuid!)).Split(',');
        var assignments = Scalar<string>("SELECT group_concat(id) FROM lessons_lessonassignment WHERE lesson_id IN (SELECT id FROM lessons_lesson WHERE created_by_id = $u)", ("$u", coach.Uuid!)).Split(',');
        var attempts = Scalar<long>("SELECT COUNT(*) FROM logger_attemptlog WHERE user_id = $u", ("$u", learner.Uuid!));
        Assert.Equal(8, lessons.Length);
        Assert.True(attempts > 0);

        var document = Document(current.Where(r => r.Username is not ("fcoach3" or "learner12")));
        var plan = Plan(document);
        Assert.Contains(plan.Warnings, w => w.WarningId == ImportWarningIds.DeletedUserOwnsLessonsOrQuizzes && w.Username == "fcoach3");
        Apply(plan, document);

        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM lessons_lesson WHERE created_by_id = $u", ("$u", coach.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM exams_exam WHERE creator_id = $u", ("$u", coach.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE user_id = $u", ("$u", coach.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM device_devicepermissions WHERE user_id = $u", ("$u", learner.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM logger_attemptlog WHERE user_id = $u", ("$u", learner.Uuid!)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM logger_masterylog WHERE user_id = $u", ("$u", learner.Uuid!)));
        foreach (var id in lessons.Concat(assignments))
        {
            Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels d JOIN morango_harddeletedmodels h ON h.id = d.id WHERE d.id = $i", ("$i", id)));
        }

        // nothing left pointing at a deleted user
        AssertForeignKeysIntact();
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM logger_contentsummarylog WHERE user_id NOT IN (SELECT id FROM kolibriauth_facilityuser)"));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM lessons_lessonassignment WHERE lesson_id NOT IN (SELECT id FROM lessons_lesson)"));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM logger_attemptlog WHERE sessionlog_id NOT IN (SELECT id FROM logger_contentsessionlog)"));
    }

    [Fact]
    public void Leaving_a_class_also_leaves_its_learner_groups()
    {
        var learner = current.First(r => r.EnrolledIn!.Contains("Class A") && r.UserType == UserType.LEARNER);
        var classId = Scalar<string>("SELECT id FROM kolibriauth_collection WHERE name = 'Class A'");
        var group = MorangoId.ForCollection(CollectionKinds.LearnerGroup, facility.DatasetId);
        var groupMembership = MorangoId.ForMembership(facility.DatasetId, learner.Uuid!, group.Id);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
                VALUES ($g, 1, $gs, $gp, 'Group 1', 'learnergroup', $d, $c);
                INSERT INTO kolibriauth_membership (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id)
                VALUES ($m, 1, $g, $mp, $g, $d, $u);
                """;
            command.Parameters.AddWithValue("$g", group.Id);
            command.Parameters.AddWithValue("$gs", group.SourceId);
            command.Parameters.AddWithValue("$gp", group.Partition);
            command.Parameters.AddWithValue("$d", facility.DatasetId);
            command.Parameters.AddWithValue("$c", classId);
            command.Parameters.AddWithValue("$m", groupMembership.Id);
            command.Parameters.AddWithValue("$mp", groupMembership.Partition);
            command.Parameters.AddWithValue("$u", learner.Uuid!);
            command.ExecuteNonQuery();
        }

        var document = Document(Replace(learner with { EnrolledIn = learner.EnrolledIn!.Where(c => c != "Class A").ToList() }));
        var plan = Plan(document);
        Assert.Single(plan.Changes, c => c.Kind == ImportTarget.Enrolment && c.Action == ImportAction.Remove && c.ClassName == "Class A");
        Apply(plan, document);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $u AND collection_id IN ($c, $g)", ("$u", learner.Uuid!), ("$c", classId), ("$g", group.Id)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $m", ("$m", groupMembership.Id)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $g", ("$g", group.Id)));
        AssertForeignKeysIntact();

        // Deleting the class (Force: it has lessons) takes its group with it.
        List<ImportRow> rows;
        using (var db = KolibriDatabase.OpenRead(path))
        {
            rows = RowsOf(db, facility).Select(r => r with { EnrolledIn = r.EnrolledIn!.Where(c => c != "Class A").ToList(), AssignedTo = r.AssignedTo!.Where(c => c != "Class A").ToList() }).ToList();
        }

        var removal = Document(rows);
        Apply(Plan(removal, new ImportOptions { RemoveUnreferencedClasses = true, Force = true }), removal);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id IN ($c, $g)", ("$c", classId), ("$g", group.Id)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $g", ("$g", group.Id)));
        AssertForeignKeysIntact();
    }

    [Fact]
    public void A_changed_user_type_removes_the_old_role_and_records_the_deletion()
    {
        var ccoach = Row("ccoach1");
        var document = Document(Replace(ccoach with { UserType = UserType.LEARNER }));
        Apply(Plan(document), document);

        var oldRole = MorangoId.ForRole(facility.DatasetId, ccoach.Uuid!, facility.Id, RoleKinds.AssignableCoach).Id;
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE user_id = $u", ("$u", ccoach.Uuid!)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $r", ("$r", oldRole)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM morango_harddeletedmodels"));
        Assert.True(Plan(document).IsEmpty);
    }

    [Fact]
    public void An_unreferenced_class_is_cleared_and_kept()
    {
        var rows = current.Select(r => r with { EnrolledIn = r.EnrolledIn!.Where(c => c != "Class B").ToList(), AssignedTo = r.AssignedTo!.Where(c => c != "Class B").ToList() }).ToList();
        var document = Document(rows);
        var plan = Plan(document);
        var classId = Assert.Single(plan.Changes, c => c.Action == ImportAction.Clear).ClassId!;
        Apply(plan, document);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE collection_id = $c", ("$c", classId)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE collection_id = $c", ("$c", classId)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $c", ("$c", classId)));
        Assert.Equal(2L, Scalar<long>("SELECT COUNT(*) FROM lessons_lesson WHERE collection_id = $c", ("$c", classId)));
        Assert.True(Plan(document).IsEmpty);
    }

    [Fact]
    public void RemoveUnreferencedClasses_with_force_deletes_the_class_with_its_lessons_and_quizzes()
    {
        var rows = current.Select(r => r with { EnrolledIn = r.EnrolledIn!.Where(c => c != "Class B").ToList(), AssignedTo = r.AssignedTo!.Where(c => c != "Class B").ToList() }).ToList();
        var document = Document(rows);
        var refused = Plan(document, new ImportOptions { RemoveUnreferencedClasses = true });
        var before = State();
        Assert.Throws<ImportRefusedException>(() => Apply(refused, document));
        Assert.Equal(before, State());

        var plan = Plan(document, new ImportOptions { RemoveUnreferencedClasses = true, Force = true });
        var classId = Assert.Single(plan.Changes, c => c.Kind == ImportTarget.Class && c.Action == ImportAction.Delete).ClassId!;
        var lessonIds = Scalar<string>("SELECT group_concat(id) FROM lessons_lesson WHERE collection_id = $c", ("$c", classId)).Split(',');
        Apply(plan, document);
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $c", ("$c", classId)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM lessons_lesson WHERE collection_id = $c", ("$c", classId)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM exams_exam WHERE collection_id = $c", ("$c", classId)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $c", ("$c", classId)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $l", ("$l", lessonIds[0])));
        AssertForeignKeysIntact();
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM morango_harddeletedmodels"));
    }

    [Fact]
    public void RemoveUnreferencedClasses_deletes_a_class_without_lessons_in_a_sandbox()
    {
        var sandbox = SandboxDatabase.Create(folder.File("sandbox.sqlite3"), new SandboxOptions { SampleUsers = 80, Seed = 3 });
        using var db = KolibriDatabase.OpenRead(sandbox.Path);
        var sandboxFacility = db.DefaultFacility();
        var rows = RowsOf(db, sandboxFacility);
        db.Dispose();
        var victim = rows.SelectMany(r => r.EnrolledIn!).First();
        var document = Document(rows.Select(r => r with { EnrolledIn = r.EnrolledIn!.Where(c => c != victim).ToList(), AssignedTo = r.AssignedTo!.Where(c => c != victim).ToList() }));
        var plan = Plan(document, new ImportOptions { RemoveUnreferencedClasses = true }, sandbox.Path);
        Assert.False(plan.IsRefused, plan.RefusalReason);
        Assert.Equal(1, plan.Summary.ClassesDeleted);
        ImportApplier.Apply(plan, document, new ImportApplyOptions { DatabasePath = sandbox.Path });
        using var after = KolibriDatabase.OpenRead(sandbox.Path);
        Assert.DoesNotContain(new Facilities.FacilityDirectory(after).GetClasses(sandboxFacility), c => c.Name == victim);
    }

    [Fact]
    public void A_plan_with_errors_is_refused_unless_skipping_invalid_rows_which_protects_their_users()
    {
        var learner = Row("learner04");
        var rows = current.Where(r => r.Username != "learner04").Select(r => r.Username == "learner05" ? r with { FullName = "Changed" } : r).ToList();
        var document = Document(rows, [Rejected(70, learner.Uuid, "learner04")]);
        var before = State();
        var ex = Assert.Throws<ImportRefusedException>(() => Apply(Plan(document), document));
        Assert.Equal(ImportRefusal.RowErrors, ex.Refusal);
        Assert.Equal(before, State());

        Apply(Plan(document, new ImportOptions { SkipInvalidRows = true }), document);
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", learner.Uuid!)));
        Assert.Equal("Changed", Scalar<string>("SELECT full_name FROM kolibriauth_facilityuser WHERE username = 'learner05'"));
    }

    [Fact]
    public void Over_the_deletion_threshold_nothing_is_written_and_max_deletions_allows_it()
    {
        var document = Document(current.Take(30));
        var before = State();
        Assert.Throws<ImportRefusedException>(() => Apply(Plan(document), document));
        Assert.Equal(before, State());
        // The first 30 users in export order look like a cut-short export: FileIsComplete says it is not.
        var result = Apply(Plan(document, new ImportOptions { MaxDeletions = 21, FileIsComplete = true }), document);
        Assert.Equal(21, result.Summary.UsersDeleted);
        Assert.Equal(30L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser"));
        Assert.Equal(4L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_role WHERE kind = 'admin'"));
    }

    [Fact]
    public void Declined_deletions_are_not_applied()
    {
        var document = Document(current.Where(r => r.Username is not ("learner07" or "learner08")));
        var plan = Plan(document);
        var declined = plan.Changes.Single(c => c.Target == "learner07" && c.Action == ImportAction.Delete);
        var result = Apply(plan, document, options: new ImportApplyOptions { DatabasePath = path, ExcludedChanges = new HashSet<int> { declined.Id } });
        Assert.Equal(1, result.ChangesSkipped);
        Assert.Equal(1, result.Summary.UsersDeleted);
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'learner07'"));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'learner08'"));
    }

    [Fact]
    public void Only_destructive_changes_can_be_declined()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var plan = Plan(document);
        var ex = Assert.Throws<ArgumentException>(() => Apply(plan, document, options: new ImportApplyOptions { DatabasePath = path, ExcludedChanges = new HashSet<int> { plan.Changes[0].Id } }));
        Assert.Contains("not a deletion or removal", ex.Message);
    }

    [Fact]
    public void A_facility_changed_since_planning_is_a_conflict_naming_the_change_and_nothing_is_written()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var plan = Plan(document);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE kolibriauth_facilityuser SET full_name = 'Edited In Kolibri' WHERE username = 'learner09'";
            command.ExecuteNonQuery();
        }

        var before = State();
        var ex = Assert.Throws<ImportConflictException>(() => Apply(plan, document));
        Assert.Contains("1 user(s) edited ('learner09')", ex.Message);
        Assert.Equal(before, State());
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE username = 'fresh'"));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "backups")) && Directory.EnumerateFiles(Path.Combine(folder.Path, "backups")).Any());
    }

    [Fact]
    public void A_saved_plan_applies_after_a_json_round_trip()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh", password: "abc12345"));
        var document = Document(rows);
        var plan = ImportPlan.FromJson(Plan(document).ToJson());
        Apply(plan, document);
        Assert.True(DjangoPassword.Verify("abc12345", Scalar<string>("SELECT password FROM kolibriauth_facilityuser WHERE username = 'fresh'")));
    }

    [Fact]
    public void A_different_csv_than_planned_is_refused()
    {
        var document = Document(current);
        var plan = Plan(document);
        var other = new UsersCsvDocument { Sha256 = new string('b', 64), Columns = document.Columns, Headers = document.Headers, Rows = document.Rows, Rejected = [], Errors = [] };
        var ex = Assert.Throws<ImportRefusedException>(() => Apply(plan, other));
        Assert.Contains("not the file the plan was made from", ex.Message);
    }

    [Fact]
    public void Cancelling_while_hashing_writes_nothing()
    {
        var rows = current.ToList();
        rows.AddRange(Enumerable.Range(0, 40).Select(i => NewRow(200 + i, "bulk" + i)));
        var document = Document(rows);
        var plan = Plan(document);
        var before = State();
        using var cancellation = new CancellationTokenSource();
        var reports = new List<ImportProgress>();
        var progress = new SyncProgress(p =>
        {
            lock (reports) reports.Add(p);
            if (p.Done >= 2) cancellation.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Apply(plan, document,
            options: new ImportApplyOptions { DatabasePath = path, HashParallelism = 1, Progress = progress }, cancellation: cancellation.Token));
        Assert.Equal(before, State());
        Assert.All(reports, r => Assert.Equal(ImportApplier.HashingStage, r.Stage));
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "backups")));
    }

    [Fact]
    public void Cancelling_before_the_writes_rolls_back_and_leaves_no_backup()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var plan = Plan(document);
        var before = State();
        using var cancellation = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Stage == ImportApplier.HashingStage && p.Done == p.Total) cancellation.Cancel();
        });
        Assert.ThrowsAny<OperationCanceledException>(() => Apply(plan, document,
            options: new ImportApplyOptions { DatabasePath = path, Progress = progress }, cancellation: cancellation.Token));
        Assert.Equal(before, State());
    }

    [Fact]
    public void A_database_locked_by_kolibri_longer_than_the_busy_timeout_is_a_busy_error_and_nothing_is_written()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var plan = Plan(document);
        var before = State();
        using (var kolibri = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            kolibri.Open();
            using var begin = kolibri.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            var ex = Assert.Throws<KolibriDatabaseException>(() => Apply(plan, document,
                options: new ImportApplyOptions { DatabasePath = path, BusyTimeout = TimeSpan.FromMilliseconds(200) }));
            Assert.Equal(DatabaseProblem.Busy, ex.Problem);
            Assert.Contains("busy", ex.Message);
            using var rollback = kolibri.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        Assert.Equal(before, State());
    }

    [Fact]
    public void The_backup_is_a_valid_database_of_the_state_before_the_import()
    {
        var rows = current.Where(r => r.Username != "learner11").ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var plan = Plan(document);
        var result = Apply(plan, document);

        Assert.NotNull(result.BackupPath);
        Assert.Equal(Path.Combine(folder.Path, "backups"), Path.GetDirectoryName(result.BackupPath));
        Assert.Matches(@"db-Demo_Facility-\d{8}T\d{6}Z\.sqlite3$", result.BackupPath);
        var backupPlan = Plan(document, databasePath: result.BackupPath);
        Assert.Equal(plan.Fingerprint, backupPlan.Fingerprint);
        Assert.Null(plan.FindConflict(backupPlan));
        Assert.NotEqual(plan.Fingerprint, Plan(document).Fingerprint);
    }

    [Fact]
    public void NoBackup_writes_no_backup()
    {
        var rows = current.ToList();
        rows.Add(NewRow(99, "fresh"));
        var document = Document(rows);
        var result = Apply(Plan(document), document, options: new ImportApplyOptions { DatabasePath = path, Backup = false });
        Assert.Null(result.BackupPath);
        Assert.False(Directory.Exists(Path.Combine(folder.Path, "backups")));
    }

    private sealed class SyncProgress(Action<ImportProgress> report) : IProgress<ImportProgress>
    {
        public void Report(ImportProgress value) => report(value);
    }
}
