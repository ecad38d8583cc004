using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

public sealed class UserReaderTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string path;

    public UserReaderTests()
    {
        path = folder.CopyFixtureDatabase();
    }

    public void Dispose() => folder.Dispose();

    private List<FacilityUser> ReadAll(UserQuery? query = null)
    {
        using var db = KolibriDatabase.OpenRead(path);
        return new UserReader(db).Read(db.DefaultFacility(), query).ToList();
    }

    [Fact]
    public void Every_user_of_the_fixture_is_read_in_database_order_with_the_type_kolibri_derives()
    {
        var users = ReadAll();
        Assert.Equal(51, users.Count);
        Assert.Equal(DbFiles.Rows(path, "SELECT id FROM kolibriauth_facilityuser ORDER BY rowid").Select(r => r[0]), users.Select(u => u.Id));
        Assert.Equal(KolibriSmall.Admins, users.Where(u => u.Type == UserType.ADMIN).Select(u => u.Username));
        Assert.Equal(KolibriSmall.FacilityCoaches, users.Where(u => u.Type == UserType.FACILITY_COACH).Select(u => u.Username));
        Assert.Equal(KolibriSmall.ClassCoaches, users.Where(u => u.Type == UserType.CLASS_COACH).Select(u => u.Username));
        Assert.Equal(KolibriSmall.Learners, users.Where(u => u.Type == UserType.LEARNER).Select(u => u.Username));
        Assert.All(users.Where(u => u.Type == UserType.ADMIN), u => Assert.True(u.IsAdmin));
    }

    [Fact]
    public void Only_the_device_superuser_is_flagged_and_it_is_also_a_facility_admin()
    {
        var superuser = Assert.Single(ReadAll(), u => u.IsSuperuser);
        Assert.Equal(KolibriSmall.SuperuserId, superuser.Id);
        Assert.Equal("admin", superuser.Username);
        Assert.Equal(UserType.ADMIN, superuser.Type);
    }

    [Fact]
    public void Fields_are_read_as_stored_and_by_name()
    {
        var users = ReadAll().ToDictionary(u => u.Username);
        var admin = users["admin"];
        Assert.Equal("DEFERRED", admin.BirthYear);
        Assert.Equal("DEFERRED", admin.Gender);
        Assert.Equal(new DateTimeOffset(2026, 11, 22, 22, 41, 31, TimeSpan.Zero).AddTicks(7743790), admin.DateJoined!.Value.ToUniversalTime());
        Assert.Null(admin.LastLogin);

        var learner = users["learner36"];
        Assert.Equal("b6435e3c7b4cc2edaea6ec2f5c657c64", learner.Id);
        Assert.Equal("Lucía Kariuki", learner.FullName);
        Assert.Equal("=SUM(A1)", learner.Identifier);
        Assert.Equal("1987", learner.BirthYear);
        Assert.Equal("FEMALE", learner.Gender);
        Assert.Equal(KolibriSmall.DatasetId, learner.DatasetId);
        Assert.Equal(KolibriSmall.FacilityId, learner.FacilityId);
        Assert.Equal(KolibriSmall.FacilityName, learner.Facility);
        Assert.Equal(path, learner.Database);
        Assert.True(learner.HasPassword);
        Assert.Equal("Zoë Ó'Connor-Núñez", users["learner37"].FullName);
        Assert.Equal("NOT_SPECIFIED", users["fcoach4"].Gender);
    }

    [Fact]
    public void Memberships_and_classroom_coach_roles_match_the_database_rows()
    {
        var users = ReadAll();
        var memberships = DbFiles.Rows(path, """
            SELECT u.username, c.name FROM kolibriauth_membership m
            JOIN kolibriauth_facilityuser u ON u.id = m.user_id JOIN kolibriauth_collection c ON c.id = m.collection_id
            """).ToLookup(r => r[0], r => r[1]);
        var coaching = DbFiles.Rows(path, """
            SELECT u.username, c.name FROM kolibriauth_role r
            JOIN kolibriauth_facilityuser u ON u.id = r.user_id JOIN kolibriauth_collection c ON c.id = r.collection_id
            WHERE c.kind = 'classroom' AND r.kind = 'coach'
            """).ToLookup(r => r[0], r => r[1]);
        foreach (var user in users)
        {
            Assert.Equal(memberships[user.Username].Order(), user.EnrolledIn.Order());
            Assert.Equal(coaching[user.Username].Order(), user.AssignedTo.Order());
        }

        Assert.Equal(40, users.Sum(u => u.EnrolledIn.Count));
        Assert.Equal(14, users.Sum(u => u.AssignedTo.Count));
        Assert.Equal(["Class B", "Class A"], users.Single(u => u.Username == "fcoach1").AssignedTo);
    }

    [Fact]
    public void UserNameReader_streams_the_names_in_database_order()
    {
        using var db = KolibriDatabase.OpenRead(path);
        var facility = db.DefaultFacility();
        Assert.Equal(new UserReader(db).Read(facility).Select(u => u.Username), new UserNameReader(db).Read(facility).Select(u => u.Username));
    }

    [Fact]
    public void Usernames_filter_case_insensitively()
    {
        var found = ReadAll(new UserQuery { Usernames = ["LEARNER01", "Admin", "nobody"] });
        Assert.Equal(["admin", "learner01"], found.Select(u => u.Username));
    }

    [Fact]
    public void Class_filter_returns_learners_and_coaches_of_those_classes()
    {
        var classB = KolibriSmall.Classes.Single(c => c.Name == "Class B").Id;
        var found = ReadAll(new UserQuery { ClassIds = [classB] });
        Assert.Equal(12 + 2, found.Count);
        Assert.All(found, u => Assert.True(u.EnrolledIn.Contains("Class B") || u.AssignedTo.Contains("Class B")));
        Assert.Empty(ReadAll(new UserQuery { ClassIds = [] }));
    }

    [Theory]
    [InlineData(new string[0], UserType.LEARNER)]
    [InlineData(new[] { "classroom assignable coach" }, UserType.CLASS_COACH)]
    [InlineData(new[] { "coach" }, UserType.FACILITY_COACH)]
    [InlineData(new[] { "admin" }, UserType.ADMIN)]
    [InlineData(new[] { "classroom assignable coach", "coach" }, UserType.FACILITY_COACH)]
    [InlineData(new[] { "coach", "admin", "classroom assignable coach" }, UserType.ADMIN)]
    public void UserType_comes_from_the_strongest_facility_role(string[] kinds, UserType expected)
    {
        Assert.Equal(expected, RoleKinds.ToUserType(kinds));
    }

    [Fact]
    public void Only_facility_level_roles_decide_the_type_and_a_class_coach_role_alone_leaves_a_learner()
    {
        // learner01 gets a 'coach' role on a classroom only: still a LEARNER at facility level, but AssignedTo lists it.
        var classA = KolibriSmall.Classes.Single(c => c.Name == "Class A").Id;
        DbFiles.Execute(path, """
            INSERT INTO kolibriauth_role (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id, kind)
            VALUES ('00000000000000000000000000000001', 1, '', '', $class, $dataset, 'e2e58ec400ca6b1deb299a3ab345002d', 'coach')
            """, ("$class", classA), ("$dataset", KolibriSmall.DatasetId));
        var learner = ReadAll(new UserQuery { Usernames = ["learner01"] }).Single();
        Assert.Equal(UserType.LEARNER, learner.Type);
        Assert.Equal(["Class A"], learner.AssignedTo);
    }

    [Fact]
    public void A_learner_without_a_password_is_reported()
    {
        DbFiles.Execute(path, "UPDATE kolibriauth_facilityuser SET password = 'NOT_SPECIFIED' WHERE username = 'learner02'");
        var users = ReadAll().ToDictionary(u => u.Username);
        Assert.False(users["learner02"].HasPassword);
        Assert.True(users["learner03"].HasPassword);
    }

    [Fact]
    public void Fixture_rows_carry_the_ids_and_password_hashes_kolibri_computes()
    {
        foreach (var row in DbFiles.Rows(path, "SELECT id, _morango_source_id, _morango_partition, dataset_id FROM kolibriauth_facilityuser"))
        {
            var identity = MorangoId.ForUser(row[3], row[1]);
            Assert.Equal(row[0], identity.Id);
            Assert.Equal(row[2], identity.Partition);
        }

        var hashes = DbFiles.Rows(path, "SELECT username, password FROM kolibriauth_facilityuser WHERE username IN ('admin', 'learner01', 'ccoach1')").ToDictionary(r => r[0], r => r[1]);
        Assert.True(DjangoPassword.Verify("adminpass", hashes["admin"]));
        Assert.True(DjangoPassword.Verify("pass123", hashes["learner01"]));
        Assert.True(DjangoPassword.Verify("pass123", hashes["ccoach1"]));
        Assert.False(DjangoPassword.Verify("Pass123", hashes["ccoach1"]));
    }

    [Fact]
    public void Unicode_usernames_match_whatever_their_case_as_Python_folds_them()
    {
        var sandbox = SandboxDatabase.Create(folder.File("unicode.sqlite3"), new SandboxOptions { SampleUsers = 10, Seed = 3 });
        var renamed = DbFiles.Rows(sandbox.Path, "SELECT id FROM kolibriauth_facilityuser WHERE username <> 'admin' ORDER BY rowid LIMIT 3").Select(r => r[0]).ToList();
        DbFiles.Execute(sandbox.Path, "UPDATE kolibriauth_facilityuser SET username = 'Björn.Ödegård' WHERE id = $id", ("$id", renamed[0]));
        DbFiles.Execute(sandbox.Path, "UPDATE kolibriauth_facilityuser SET username = 'ΣΩΚΡΑΤΗΣ' WHERE id = $id", ("$id", renamed[1]));
        DbFiles.Execute(sandbox.Path, "UPDATE kolibriauth_facilityuser SET username = 'Дарья' WHERE id = $id", ("$id", renamed[2]));

        using var db = KolibriDatabase.OpenRead(sandbox.Path);
        var facility = db.DefaultFacility();
        var reader = new UserReader(db);
        string[] Find(params string[] names) => reader.Read(facility, new UserQuery { Usernames = names }).Select(u => u.Username).ToArray();
        Assert.Equal(["Björn.Ödegård", "ΣΩΚΡΑΤΗΣ", "Дарья"], Find("BJÖRN.ÖDEGÅRD", "σωκρατης", "ДАРЬЯ"));
        Assert.Equal(["ΣΩΚΡΑΤΗΣ"], Find("σωκρατησ"));
        Assert.Equal(["Дарья"], Find("дарья"));
        Assert.Empty(Find("Bjorn.Odegard"));
        Assert.Equal("björn.ödegård", UsernameComparer.Fold("BJÖRN.ÖDEGÅRD"));
        Assert.True(UsernameComparer.Instance.Equals("ΣΩΚΡΑΤΗΣ", "σωκρατης"));
    }
}
