using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

public sealed class PlannerTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly KolibriDatabase db;
    private readonly Facility facility;
    private readonly List<ImportRow> current;

    public PlannerTests()
    {
        db = KolibriDatabase.OpenRead(folder.CopyFixtureDatabase());
        facility = db.DefaultFacility();
        current = RowsOf(db, facility);
    }

    public void Dispose()
    {
        db.Dispose();
        folder.Dispose();
    }

    private ImportPlan Plan(IEnumerable<ImportRow> rows, ImportOptions? options = null, IEnumerable<RejectedRow>? rejected = null) =>
        new ImportPlanner(db).Plan(facility, Document(rows, rejected), options ?? new ImportOptions());

    private ImportRow Row(string username) => current.Single(r => r.Username == username);

    private List<ImportRow> Without(params string[] usernames) => current.Where(r => !usernames.Contains(r.Username)).ToList();

    private List<ImportRow> Replace(ImportRow row) => current.Select(r => r.Uuid == row.Uuid ? row : r).ToList();

    [Fact]
    public void A_document_of_the_current_users_plans_no_change()
    {
        var plan = Plan(current);
        Assert.True(plan.IsEmpty, string.Join(Environment.NewLine, plan.Changes));
        Assert.Equal(51, plan.Summary.UsersUnchanged);
        Assert.False(plan.IsRefused);
        Assert.Empty(plan.Warnings);
    }

    [Fact]
    public void An_export_without_admins_plans_no_change_either_because_admins_are_never_deleted()
    {
        var plan = Plan(current.Where(r => r.UserType != UserType.ADMIN));
        Assert.True(plan.IsEmpty, string.Join(Environment.NewLine, plan.Changes));
        Assert.Equal(47, plan.Summary.UsersUnchanged);
    }

    [Fact]
    public void Rows_without_uuid_match_existing_users_by_username_ignoring_case()
    {
        var rows = current.Select(r => r with { Uuid = null, Username = r.Username == "learner05" ? "LEARNER05" : r.Username }).ToList();
        var plan = Plan(rows);
        var change = Assert.Single(plan.Changes);
        Assert.Equal(ImportAction.Update, change.Action);
        Assert.Equal(Row("learner05").Uuid, change.UserId);
        Assert.Equal(new FieldChange("USERNAME", "learner05", "LEARNER05"), Assert.Single(change.Fields));
    }

    [Fact]
    public void Creates_updates_and_deletes_are_planned_with_fields_and_descriptions()
    {
        var rows = Without("learner02");
        rows[rows.FindIndex(r => r.Username == "learner01")] = Row("learner01") with { FullName = "Renamed Person", Password = "new-secret", Gender = "FEMALE" };
        rows.Add(NewRow(100, "newkid", enrolled: ["Class A", "Brand New"]));

        var plan = Plan(rows);

        var create = Assert.Single(plan.Changes, c => c.Kind == ImportTarget.User && c.Action == ImportAction.Create);
        Assert.Equal("newkid", create.Target);
        Assert.Equal(100, create.Row);
        Assert.Contains(create.Fields, f => f is { Field: "PASSWORD", OldValue: null, NewValue: null });
        Assert.DoesNotContain(plan.ToJson(), "pw-secret");
        Assert.DoesNotContain(plan.ToJson(), "new-secret");

        var update = Assert.Single(plan.Changes, c => c.Action == ImportAction.Update);
        Assert.Equal("learner01", update.Target);
        Assert.Contains(new FieldChange("FULL_NAME", Row("learner01").FullName, "Renamed Person"), update.Fields);
        Assert.Contains(new FieldChange("PASSWORD", null, null), update.Fields);
        Assert.Contains(update.Fields, f => f.Field == "GENDER" && f.NewValue == "FEMALE");

        var delete = Assert.Single(plan.Changes, c => c.Action == ImportAction.Delete);
        Assert.Equal("learner02", delete.Target);
        Assert.True(delete.IsDestructive);
        Assert.StartsWith("Delete user 'learner02' (", delete.Description);
        Assert.EndsWith(", LEARNER)", delete.Description);

        var newClass = Assert.Single(plan.Changes, c => c.Kind == ImportTarget.Class);
        Assert.Equal((ImportAction.Create, "Brand New"), (newClass.Action, newClass.Target));
        Assert.Equal(2, plan.Changes.Count(c => c.Kind == ImportTarget.Enrolment && c.Action == ImportAction.Add && c.Username == "newkid"));
        Assert.Equal(Enumerable.Range(1, plan.Changes.Count), plan.Changes.Select(c => c.Id));

        Assert.Equal(1, plan.Summary.UsersCreated);
        Assert.Equal(1, plan.Summary.UsersUpdated);
        Assert.Equal(1, plan.Summary.UsersDeleted);
        Assert.Equal(1, plan.Summary.ClassesCreated);
        Assert.Equal(2, plan.Summary.EnrolmentsAdded);
        Assert.Contains("Users: 1 added, 1 updated, 1 deleted, 49 unchanged", plan.Summary.ToString());
    }

    [Fact]
    public void A_changed_user_type_replaces_the_facility_role_and_a_learner_loses_coach_assignments()
    {
        var ccoach = Row("ccoach1");
        Assert.NotEmpty(ccoach.AssignedTo!);
        var plan = Plan(Replace(ccoach with { UserType = UserType.LEARNER }));

        var update = Assert.Single(plan.Changes, c => c.Action == ImportAction.Update);
        Assert.Equal(new FieldChange("USER_TYPE", "CLASS_COACH", "LEARNER"), Assert.Single(update.Fields));
        var role = Assert.Single(plan.Changes, c => c.Kind == ImportTarget.Role);
        Assert.Equal((ImportAction.Remove, RoleKinds.AssignableCoach), (role.Action, role.RoleKind));
        Assert.Equal(ccoach.AssignedTo!.Count, plan.Changes.Count(c => c.Kind == ImportTarget.CoachAssignment && c.Action == ImportAction.Remove));
        Assert.Contains(plan.Warnings, w => w.WarningId == ImportWarningIds.AssignedToIgnoredForLearner && w.Username == "ccoach1");
        Assert.Equal(1, plan.Summary.UsersUpdated);
    }

    [Fact]
    public void Promoting_a_learner_to_facility_coach_adds_the_role_and_assignments()
    {
        var plan = Plan(Replace(Row("learner03") with { UserType = UserType.FACILITY_COACH, AssignedTo = ["Class B"] }));
        Assert.Contains(plan.Changes, c => c.Kind == ImportTarget.Role && c.Action == ImportAction.Add && c.RoleKind == RoleKinds.Coach);
        Assert.Contains(plan.Changes, c => c.Kind == ImportTarget.CoachAssignment && c.Action == ImportAction.Add && c.ClassName == "Class B");
        Assert.Equal(1, plan.Summary.CoachAssignmentsAdded);
    }

    [Fact]
    public void Admins_superusers_and_the_importing_user_are_never_deleted()
    {
        var learner = Row("learner10");
        var importer = current.Single(r => r.Username == "fcoach1").Uuid;
        var plan = Plan([learner], new ImportOptions { Force = true, ImportingUserId = importer });
        var deleted = plan.Changes.Where(c => c.Action == ImportAction.Delete && c.Kind == ImportTarget.User).Select(c => c.Target).ToList();
        Assert.Equal(45, deleted.Count); // 47 non-admins, minus the row's user and the importing user
        Assert.DoesNotContain("admin", deleted);
        Assert.DoesNotContain("principal", deleted);
        Assert.DoesNotContain("fcoach1", deleted);
        Assert.Contains(plan.Warnings, w => w.WarningId == ImportWarningIds.DeletedUserOwnsLessonsOrQuizzes && w.Username == "fcoach3");
    }

    [Fact]
    public void The_deletion_threshold_refuses_unless_force_or_max_deletions_allow_it()
    {
        var rows = current.Take(30).ToList(); // 4 admins + 26 others: 21 deletions of 47 non-admins
        var plan = Plan(rows);
        Assert.Equal(21, plan.Summary.UsersDeleted);
        Assert.True(plan.DeletionsExceedThreshold);
        Assert.True(plan.IsRefused);
        Assert.Contains("more than 10 and more than 20%", plan.RefusalReason);
        // The first 30 users in export order: also what a cut-short export looks like, so the admin must say it is complete.
        Assert.Equal(ImportRefusal.TooManyDeletions | ImportRefusal.LooksTruncated, plan.Refusal);
        Assert.Contains("after its last row", plan.SuspectedTruncation, StringComparison.Ordinal);
        Assert.True(Plan(rows, new ImportOptions { Force = true }).IsRefusedAsTruncated);
        Assert.False(Plan(rows, new ImportOptions { Force = true, FileIsComplete = true }).IsRefused);
        Assert.False(Plan(rows, new ImportOptions { MaxDeletions = 21, FileIsComplete = true }).IsRefused);
        var tooFew = Plan(rows, new ImportOptions { MaxDeletions = 20, Force = true });
        Assert.True(tooFew.IsRefused);
        Assert.Contains("more than the limit of 20 deletions", tooFew.RefusalReason);

        var ten = Plan(current.Take(41)); // 10 deletions: never over the default threshold
        Assert.Equal(10, ten.Summary.UsersDeleted);
        Assert.False(ten.DeletionsExceedThreshold);
        Assert.True(ten.IsRefusedAsTruncated); // but the 10 deleted are the export's last 10: a cut-short file
        Assert.False(Plan(current.Take(41), new ImportOptions { FileIsComplete = true }).IsRefused);
    }

    [Fact]
    public void NoDelete_deletes_no_user_and_clears_no_class()
    {
        var plan = Plan(current.Take(10).Select(r => r with { EnrolledIn = [], AssignedTo = [] }), new ImportOptions { NoDelete = true });
        Assert.DoesNotContain(plan.Changes, c => c.Action is ImportAction.Delete or ImportAction.Clear);
        Assert.Equal(0, plan.Summary.UsersDeleted);
    }

    [Fact]
    public void An_invalid_row_protects_its_user_from_changes_and_deletion()
    {
        var learner = Row("learner04");
        var plan = Plan(Without("learner04", "learner05"), rejected: [Rejected(60, learner.Uuid, null), Rejected(61, null, "LEARNER05")]);
        Assert.DoesNotContain(plan.Changes, c => c.Target is "learner04" or "learner05");
        Assert.Equal(2, plan.Warnings.Count(w => w.WarningId == ImportWarningIds.InvalidRowUserProtected));
        Assert.True(plan.HasErrors);
        Assert.True(plan.IsRefused);
        Assert.Equal(ImportRefusal.RowErrors, plan.Refusal);
        Assert.DoesNotContain("-SkipInvalidRows", plan.RefusalReason);

        var skipping = Plan(Without("learner04", "learner05"), new ImportOptions { SkipInvalidRows = true }, [Rejected(60, learner.Uuid, null), Rejected(61, null, "LEARNER05")]);
        Assert.False(skipping.IsRefused);
        Assert.True(skipping.IsEmpty);
    }

    [Fact]
    public void Unreferenced_classes_are_cleared_by_default_and_deleted_on_request_refusing_lessons()
    {
        var rows = current.Select(r => r with
        {
            EnrolledIn = r.EnrolledIn!.Where(c => c != "Science 7").ToList(),
            AssignedTo = r.AssignedTo!.Where(c => c != "Science 7").ToList(),
        }).ToList();

        var plan = Plan(rows);
        var clear = Assert.Single(plan.Changes, c => c.Kind == ImportTarget.Class);
        Assert.Equal((ImportAction.Clear, "Science 7"), (clear.Action, clear.Target));
        Assert.True(clear.IsDestructive);
        Assert.NotEmpty(clear.AffectedUserIds);
        Assert.Equal(1, plan.Summary.ClassesCleared);
        Assert.False(plan.IsRefused, plan.RefusalReason);

        var removing = Plan(rows, new ImportOptions { RemoveUnreferencedClasses = true });
        var delete = Assert.Single(removing.Changes, c => c.Kind == ImportTarget.Class);
        Assert.Equal(ImportAction.Delete, delete.Action);
        Assert.Contains("2 lesson(s), 1 quiz(zes)", delete.Description);
        Assert.Equal(["Science 7"], removing.ClassesWithLessonsOrQuizzes);
        Assert.True(removing.IsRefused);
        Assert.Contains("lessons or quizzes", removing.RefusalReason);
        Assert.False(Plan(rows, new ImportOptions { RemoveUnreferencedClasses = true, Force = true }).IsRefused);
    }

    [Fact]
    public void Planning_errors_name_row_column_value_and_rule()
    {
        var rows = Replace(Row("fcoach1") with { Username = "learner06" });
        rows.Add(NewRow(90, "brandnew", password: "*"));
        var plan = Plan(rows);
        var taken = Assert.Single(plan.Errors, e => e.ErrorId == ImportErrorIds.UsernameTaken);
        Assert.Equal(("USERNAME", "learner06"), (taken.Column, taken.Value));
        Assert.Contains("cannot be renamed", taken.Message);
        var password = Assert.Single(plan.Errors, e => e.ErrorId == ImportErrorIds.NewUserNeedsPassword);
        Assert.Equal((90, "PASSWORD", "*"), (password.Row, password.Column, password.Value));
        Assert.DoesNotContain(plan.Changes, c => c.Target is "fcoach1" or "learner06" or "brandnew");
        Assert.True(plan.IsRefused);
    }

    [Fact]
    public void A_later_invalid_row_for_a_user_undoes_an_earlier_valid_row_and_a_rename_error_protects_only_the_renamed_user()
    {
        var rows = Replace(Row("learner13") with { FullName = "Changed Early" });
        rows.Add(Row("learner13") with { Row = 95, Line = 96, FullName = "Twice" });
        rows = rows.Select(r => r.Username == "learner14" ? r with { Username = "learner15" } : r).ToList();
        var plan = Plan(rows.Where(r => r.Username != "learner16").ToList());

        Assert.Contains(plan.Errors, e => e.ErrorId == ImportErrorIds.UuidDuplicated && e.Row == 95);
        Assert.DoesNotContain(plan.Changes, c => c.Target == "learner13");
        Assert.Contains(plan.Warnings, w => w.WarningId == ImportWarningIds.InvalidRowUserProtected && w.Username == "learner13" && w.Row == Row("learner13").Row);
        Assert.Contains(plan.Errors, e => e.ErrorId == ImportErrorIds.UsernameTaken && e.Value == "learner15");
        Assert.DoesNotContain(plan.Changes, c => c.Target is "learner14" or "learner15");
        Assert.DoesNotContain(plan.Warnings, w => w.Username == "learner15" && w.WarningId == ImportWarningIds.InvalidRowUserProtected);
        Assert.Single(plan.Changes, c => c.Action == ImportAction.Delete && c.Target == "learner16");
    }

    [Fact]
    public void A_conflict_names_added_removed_and_edited_users_memberships_roles_and_classes()
    {
        var plan = Plan(current);
        using (var write = KolibriDatabase.OpenWrite(db.Path))
        {
            using var command = write.Command("""
                DELETE FROM kolibriauth_facilityuser WHERE username = 'learner20';
                UPDATE kolibriauth_facilityuser SET full_name = full_name || ' Jr' WHERE username = 'learner21';
                DELETE FROM kolibriauth_membership WHERE user_id = (SELECT id FROM kolibriauth_facilityuser WHERE username = 'learner22');
                DELETE FROM kolibriauth_role WHERE user_id = (SELECT id FROM kolibriauth_facilityuser WHERE username = 'ccoach2') AND kind = 'coach';
                INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
                VALUES ('cccccccccccccccccccccccccccccccc', 1, 's', 'p', 'Late Class', 'classroom', $dataset, $facility);
                UPDATE kolibriauth_collection SET name = 'Class A2' WHERE name = 'Class A';
                """);
            command.Parameters.AddWithValue("$dataset", facility.DatasetId);
            command.Parameters.AddWithValue("$facility", facility.Id);
            command.ExecuteNonQuery();
        }

        Assert.Equal(new ImportSummary { UsersUnchanged = 51 }, plan.Summary);
        var conflict = plan.FindConflict(Plan(current));
        Assert.NotNull(conflict);
        Assert.Contains("1 user(s) removed ('learner20')", conflict);
        Assert.Contains("1 user(s) edited ('learner21')", conflict);
        Assert.Contains("'learner22'", conflict);
        Assert.Contains("1 user(s) with changed roles ('ccoach2')", conflict);
        Assert.Contains("1 class(es) added ('Late Class')", conflict);
        Assert.Contains("1 class(es) renamed or regrouped ('Class A2')", conflict);
        Assert.Null(Plan(current).FindConflict(Plan(current)));
    }

    [Fact]
    public void The_importing_admin_keeps_the_admin_role()
    {
        var admin = Row("admin2");
        var plan = Plan(Replace(admin with { UserType = UserType.LEARNER }), new ImportOptions { ImportingUserId = admin.Uuid });
        Assert.True(plan.IsEmpty);
        Assert.Contains(plan.Warnings, w => w.WarningId == ImportWarningIds.ImportingUserKeepsAdmin);
        var other = Plan(Replace(admin with { UserType = UserType.LEARNER }));
        Assert.Contains(other.Changes, c => c.Kind == ImportTarget.Role && c.Action == ImportAction.Remove && c.RoleKind == RoleKinds.Admin);
    }

    [Fact]
    public void Two_classes_of_one_name_are_both_referenced_and_either_satisfies_the_name()
    {
        var learner = current.First(r => r.UserType == UserType.LEARNER && !r.EnrolledIn!.Contains("Class A"));
        using (var write = KolibriDatabase.OpenWrite(db.Path))
        {
            using var command = write.Command("""
                INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
                VALUES ('dddddddddddddddddddddddddddddddd', 1, 's', 'p', 'class a', 'classroom', $dataset, $facility);
                INSERT INTO kolibriauth_membership (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id)
                VALUES ('mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm', 1, 's', 'p', 'dddddddddddddddddddddddddddddddd', $dataset, $user);
                """);
            command.Parameters.AddWithValue("$dataset", facility.DatasetId);
            command.Parameters.AddWithValue("$facility", facility.Id);
            command.Parameters.AddWithValue("$user", learner.Uuid!);
            command.ExecuteNonQuery();
        }

        var rows = RowsOf(db, facility);
        Assert.Contains("class a", rows.Single(r => r.Uuid == learner.Uuid).EnrolledIn!);
        var plan = Plan(rows.Select(r => r.Uuid == learner.Uuid ? r with { EnrolledIn = [.. learner.EnrolledIn!, "Class A"] } : r));
        Assert.True(plan.IsEmpty, string.Join(Environment.NewLine, plan.Changes));
    }

    [Fact]
    public void A_uuid_of_another_facility_is_an_error()
    {
        using (var write = KolibriDatabase.OpenWrite(db.Path))
        {
            using var command = write.Command("""
                INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
                VALUES ('ffffffffffffffffffffffffffffffff', 1, 's', 'p', 'Other', 'facility', $dataset, NULL);
                INSERT INTO kolibriauth_facilityuser (password, last_login, id, _morango_dirty_bit, _morango_source_id, _morango_partition, username, full_name,
                    date_joined, dataset_id, facility_id, birth_year, gender, id_number, extra_demographics)
                VALUES ('x', NULL, 'eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 1, 's', 'p', 'stranger', 'S', '2026-01-01 00:00:00.000000(UTC)', $dataset,
                    'ffffffffffffffffffffffffffffffff', '', '', '', NULL);
                """);
            command.Parameters.AddWithValue("$dataset", facility.DatasetId);
            command.ExecuteNonQuery();
        }

        var rows = current.ToList();
        rows.Add(NewRow(80, "stranger") with { Uuid = "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" });
        var plan = Plan(rows);
        var error = Assert.Single(plan.Errors);
        Assert.Equal((ImportErrorIds.UserNotInFacility, 80, "UUID"), (error.ErrorId, error.Row, error.Column));
        Assert.Contains("another facility", error.Message);
    }

    [Fact]
    public void An_unreadable_file_plans_no_deletion_and_is_refused_even_when_skipping_invalid_rows()
    {
        var document = new UsersCsvDocument
        {
            Sha256 = new string('c', 64), Columns = [], Headers = ["Nombre;Apellido"], Rows = [], Rejected = [],
            Errors = [new ImportError { Message = "Incorrect header label found in the first row", ErrorId = ImportErrorIds.UnknownColumn }],
        };
        var plan = new ImportPlanner(db).Plan(facility, document, new ImportOptions { SkipInvalidRows = true, Force = true });
        Assert.True(plan.IsEmpty);
        Assert.True(plan.IsRefused);
        Assert.Contains("Incorrect header label", plan.RefusalReason);
    }

    [Fact]
    public void A_plan_round_trips_through_json()
    {
        var rows = Without("learner02");
        rows.Add(NewRow(100, "newkid", enrolled: ["Brand New"]));
        var plan = Plan(rows, new ImportOptions { MaxDeletions = 3, ImportingUserId = "abc" });
        var json = plan.ToJson();
        var loaded = ImportPlan.FromJson(json);
        Assert.Equal(json, loaded.ToJson());
        Assert.Equal(plan.Fingerprint, loaded.Fingerprint);
        Assert.Equal(plan.Summary, loaded.Summary);
        Assert.Equal(plan.Options, loaded.Options);
        Assert.Null(plan.FindConflict(loaded));
        Assert.Equal(plan.Changes.Select(c => c.Description), loaded.Changes.Select(c => c.Description));
    }

    [Theory]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"FormatVersion\": 1}")]
    [InlineData("[1,2,3]")]
    [InlineData("{ not json")]
    public void Bad_json_is_an_invalid_data_exception(string json)
    {
        var ex = Assert.Throws<InvalidDataException>(() => ImportPlan.FromJson(json));
        Assert.Contains("import plan", ex.Message);
    }

    [Fact]
    public void A_plan_of_another_format_version_is_refused()
    {
        var json = Plan(current).ToJson().Replace("\"FormatVersion\": 1", "\"FormatVersion\": 9");
        var ex = Assert.Throws<InvalidDataException>(() => ImportPlan.FromJson(json));
        Assert.Contains("version 9", ex.Message);
    }
}
