using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>The cmdlets' edits go through the import's planner, rules and applier (one plan, one transaction).</summary>
public sealed class EditPlanningTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string path;

    public EditPlanningTests() => path = folder.CopyFixtureDatabase();

    public void Dispose() => folder.Dispose();

    private ImportPlan Plan(FacilityEdits edits, ImportOptions? options = null)
    {
        using var db = KolibriDatabase.OpenRead(path);
        return new ImportPlanner(db).Plan(db.DefaultFacility(), edits, options ?? new ImportOptions());
    }

    private ImportResult Apply(FacilityEdits edits, ImportOptions? options = null)
    {
        var plan = Plan(edits, options);
        Assert.False(plan.IsRefused, plan.RefusalReason);
        return ImportApplier.Apply(plan, edits, new ImportApplyOptions { DatabasePath = path, Backup = false, HashParallelism = 1 });
    }

    private T Scalar<T>(string sql, params (string, object)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return (T)Convert.ChangeType(command.ExecuteScalar()!, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    private string IdOf(string username) => Scalar<string>("SELECT id FROM kolibriauth_facilityuser WHERE username = $u", ("$u", username));

    private static FacilityEdits Edits(params UserEdit[] users)
    {
        var edits = new FacilityEdits();
        edits.Users.AddRange(users);
        return edits;
    }

    [Fact]
    public void A_partial_update_changes_only_the_fields_it_names_and_a_password_is_never_in_the_plan()
    {
        var edits = Edits(new UserEdit { Action = UserEditAction.Update, Username = "learner02", FullName = "Hana Smith-Jones", Password = "n3w-secret" });
        var plan = Plan(edits);

        var change = Assert.Single(plan.Changes);
        Assert.Equal((ImportAction.Update, ImportTarget.User), (change.Action, change.Kind));
        Assert.Equal([new FieldChange("FULL_NAME", "Hana Smith", "Hana Smith-Jones"), new FieldChange("PASSWORD", null, null)], change.Fields);
        Assert.DoesNotContain("n3w-secret", plan.ToJson(), StringComparison.Ordinal);

        var before = Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $u", ("$u", IdOf("learner02")));
        var result = Apply(edits);
        Assert.Equal(1, result.Summary.UsersUpdated);
        Assert.True(DjangoPassword.Verify("n3w-secret", Scalar<string>("SELECT password FROM kolibriauth_facilityuser WHERE username = 'learner02'")));
        Assert.Equal("Hana Smith-Jones", Scalar<string>("SELECT full_name FROM kolibriauth_facilityuser WHERE username = 'learner02'"));
        Assert.Equal(before, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE user_id = $u", ("$u", IdOf("learner02"))));
        Assert.Equal(1L, Scalar<long>("SELECT _morango_dirty_bit FROM kolibriauth_facilityuser WHERE username = 'learner02'"));
    }

    [Fact]
    public void A_new_user_is_created_and_enrolled_with_kolibri_ids_and_the_same_rules_as_the_import()
    {
        var edits = Edits(new UserEdit
        {
            Action = UserEditAction.Create, Username = "newpupil", FullName = "New Pupil", Password = "pupil-pass", BirthYear = "2015", Gender = "female",
            EnrolIn = ["class a"],
        });
        var plan = Plan(edits);
        Assert.Equal(["Create user 'newpupil' (New Pupil, LEARNER)", "Enrol 'newpupil' in class 'Class A'"], plan.Changes.Select(c => c.Description));

        Apply(edits);
        var id = IdOf("newpupil");
        Assert.Equal(("2015", "FEMALE"), (Scalar<string>("SELECT birth_year FROM kolibriauth_facilityuser WHERE id = $u", ("$u", id)), Scalar<string>("SELECT gender FROM kolibriauth_facilityuser WHERE id = $u", ("$u", id))));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership m JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE m.user_id = $u AND c.name = 'Class A'", ("$u", id)));
        Assert.True(DjangoPassword.Verify("pupil-pass", Scalar<string>("SELECT password FROM kolibriauth_facilityuser WHERE id = $u", ("$u", id))));
    }

    [Theory]
    [InlineData("bad name", "Full", "2015", ImportErrorIds.UsernameInvalidCharacters)]
    [InlineData("learner02", "Full", "2015", ImportErrorIds.UsernameTaken)]
    [InlineData("okname", "", "2015", ImportErrorIds.FullNameRequired)]
    [InlineData("okname", "Full", "12345", ImportErrorIds.BirthYearInvalid)]
    public void An_invalid_new_user_is_refused_with_the_import_error_id(string username, string fullName, string birthYear, string errorId)
    {
        var plan = Plan(Edits(new UserEdit { Action = UserEditAction.Create, Username = username, FullName = fullName, BirthYear = birthYear, Password = "pw" }));
        Assert.Contains(plan.Errors, e => e.ErrorId == errorId && e.Row == 1);
        Assert.True(plan.IsRefused);
        Assert.Empty(plan.Changes);
    }

    [Fact]
    public void Unknown_users_and_classes_and_protected_admins_are_errors_not_silent_skips()
    {
        var plan = Plan(Edits(
            new UserEdit { Action = UserEditAction.Update, Username = "nobody", FullName = "X" },
            new UserEdit { Action = UserEditAction.Delete, Username = "admin2" },
            new UserEdit { Action = UserEditAction.Update, Username = "learner03", EnrolIn = ["No Such Class"] }));
        Assert.Equal([(1, ImportErrorIds.UserNotFound), (2, ImportErrorIds.UserProtected), (3, ImportErrorIds.ClassNotFound)],
            plan.Errors.Select(e => (e.Row!.Value, e.ErrorId)).OrderBy(e => e.Item1));
        Assert.True(plan.IsRefused);
    }

    [Fact]
    public void Membership_edits_add_and_remove_without_touching_the_users_other_classes()
    {
        var classes = Scalar<string>("SELECT group_concat(c.name) FROM kolibriauth_membership m JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE m.user_id = $u AND c.kind = 'classroom'", ("$u", IdOf("learner03")));
        var other = classes.Split(',').First();
        var edits = Edits(
            new UserEdit { Action = UserEditAction.Update, Username = "learner03", LeaveClasses = [other] },
            new UserEdit { Action = UserEditAction.Update, Username = "learner04", EnrolIn = ["Science 7"] },
            new UserEdit { Action = UserEditAction.Update, Username = "ccoach1", AssignTo = ["Reading Club"] });
        var plan = Plan(edits);
        Assert.All(plan.Changes, c => Assert.True(c.Kind is ImportTarget.Enrolment or ImportTarget.CoachAssignment, c.Description));
        Assert.Contains(plan.Changes, c => c.Description == $"Remove 'learner03' from class '{other}'");

        Apply(edits);
        var after = Scalar<string>("SELECT COALESCE(group_concat(c.name), '') FROM kolibriauth_membership m JOIN kolibriauth_collection c ON c.id = m.collection_id WHERE m.user_id = $u AND c.kind = 'classroom'", ("$u", IdOf("learner03")));
        Assert.Equal(classes.Split(',').Skip(1).Order(), after.Split(',', StringSplitOptions.RemoveEmptyEntries).Order());
        Assert.True(Plan(edits).IsEmpty);
    }

    [Fact]
    public void Classes_are_created_renamed_and_deleted_and_a_class_with_lessons_needs_force()
    {
        var create = new FacilityEdits { Classes = { new ClassEdit { Action = ClassEditAction.Create, Name = "Grade 4 A" } } };
        Apply(create);
        var created = Scalar<string>("SELECT id FROM kolibriauth_collection WHERE name = 'Grade 4 A' AND kind = 'classroom'");

        var taken = Plan(new FacilityEdits { Classes = { new ClassEdit { Action = ClassEditAction.Rename, Name = "Class A", NewName = "grade 4 a" } } });
        Assert.Equal(ImportErrorIds.ClassNameTaken, Assert.Single(taken.Errors).ErrorId);

        var classA = Scalar<string>("SELECT id FROM kolibriauth_collection WHERE name = 'Class A'");
        var members = Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE collection_id = $c", ("$c", classA));
        var rename = new FacilityEdits { Classes = { new ClassEdit { Action = ClassEditAction.Rename, Id = classA, NewName = "Class A (2027)" } } };
        Assert.Equal("Rename class 'Class A' to 'Class A (2027)'", Assert.Single(Plan(rename).Changes).Description);
        Apply(rename);
        Assert.Equal("Class A (2027)", Scalar<string>("SELECT name FROM kolibriauth_collection WHERE id = $c", ("$c", classA)));
        Assert.Equal(members, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE collection_id = $c", ("$c", classA)));

        var deleteWithLessons = new FacilityEdits { Classes = { new ClassEdit { Action = ClassEditAction.Delete, Id = classA } } };
        Assert.True(Plan(deleteWithLessons).Refusal.HasFlag(ImportRefusal.ClassesWithLessons));
        Apply(deleteWithLessons, new ImportOptions { Force = true });
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $c", ("$c", classA)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM lessons_lesson WHERE collection_id = $c", ("$c", classA)));
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_membership WHERE collection_id = $c", ("$c", classA)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_deletedmodels WHERE id = $c", ("$c", classA)));

        Apply(new FacilityEdits { Classes = { new ClassEdit { Action = ClassEditAction.Delete, Name = "Grade 4 A" } } });
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_collection WHERE id = $c", ("$c", created)));
    }

    [Fact]
    public void A_deleted_user_is_hard_deleted_as_the_import_does_and_edits_changed_after_planning_are_refused()
    {
        var id = IdOf("learner05");
        var edits = Edits(new UserEdit { Action = UserEditAction.Delete, Id = id });
        var plan = Plan(edits);
        Assert.Equal($"Delete user 'learner05' ({Scalar<string>("SELECT full_name FROM kolibriauth_facilityuser WHERE id = $u", ("$u", id))}, LEARNER)", Assert.Single(plan.Changes).Description);

        edits.Users.Add(new UserEdit { Action = UserEditAction.Delete, Username = "learner06" });
        var refused = Assert.Throws<ImportRefusedException>(() => ImportApplier.Apply(plan, edits, new ImportApplyOptions { DatabasePath = path, Backup = false }));
        Assert.Equal(ImportRefusal.CsvChanged, refused.Refusal);

        edits.Users.RemoveAt(1);
        ImportApplier.Apply(plan, edits, new ImportApplyOptions { DatabasePath = path, Backup = false });
        Assert.Equal(0L, Scalar<long>("SELECT COUNT(*) FROM kolibriauth_facilityuser WHERE id = $u", ("$u", id)));
        Assert.Equal(1L, Scalar<long>("SELECT COUNT(*) FROM morango_harddeletedmodels WHERE id = $u", ("$u", id)));
    }
}
