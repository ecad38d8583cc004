using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

/// <summary>
/// The users' class lists on both engines, on a copy of each fixture changed by SQL: a learner in every class, a coach
/// assigned to every class, and a second facility with a class and no users (the users query aggregates memberships
/// and coach roles per facility, so nothing of one facility may show in another's).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BothEnginesUserClassesTests(PostgresServer server) : IDisposable
{
    private const string SecondFacilityId = "0123456789abcdef0123456789abcdef";
    private const string SecondClassId = "0123456789abcdef0123456789abcde0";

    private readonly EngineDatabases databases = new(server);

    public void Dispose() => databases.Dispose();

    public static TheoryData<string> Engines => EngineDatabases.Engines;

    private string NewDatabase(string engine) => databases.New(engine);

    private static string ExportFile(string engine) =>
        engine == "sqlite" ? TestPaths.Fixture("users-export.csv") : PostgresServer.Fixture("users-export.csv");

    private static void Execute(string database, string sql, params (string Name, object? Value)[] parameters)
    {
        using var db = KolibriDatabase.OpenWrite(database);
        using var transaction = db.BeginWrite();
        using var command = db.Command(sql, transaction);
        SqlParameters.Bind(command, parameters);
        command.ExecuteNonQuery();
        transaction.Commit();
    }

    private static List<string> Column(string database, string sql)
    {
        using var db = KolibriDatabase.OpenRead(database);
        using var command = db.Command(sql);
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    /// <summary>The fixture's classes in the order the engine's export lists a user's classes (SQLite: by id; PostgreSQL: table order).</summary>
    private static List<string> ClassNamesInExportOrder(string database, string engine) =>
        Column(database, "SELECT name FROM kolibriauth_collection WHERE kind = 'classroom' ORDER BY " + (engine == "sqlite" ? "id" : "ctid"));

    private static FacilityUser ReadUser(string database, string username)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return new UserReader(db).Read(db.DefaultFacility(), new UserQuery { Usernames = [username] }).Single();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_learner_in_every_class_and_a_coach_of_every_class_list_them_all_in_the_engines_order(string engine)
    {
        var database = NewDatabase(engine);
        var (learner, coach, dataset) = (Column(database, "SELECT id FROM kolibriauth_facilityuser WHERE username = 'learner01'")[0],
            Column(database, "SELECT id FROM kolibriauth_facilityuser WHERE username = 'ccoach1'")[0],
            Column(database, "SELECT dataset_id FROM kolibriauth_facilityuser WHERE username = 'learner01'")[0]);
        Execute(database, "DELETE FROM kolibriauth_membership WHERE user_id = $user", ("$user", learner));
        Execute(database, "DELETE FROM kolibriauth_role WHERE user_id = $user AND collection_id IN (SELECT id FROM kolibriauth_collection WHERE kind = 'classroom')", ("$user", coach));
        foreach (var classId in Column(database, "SELECT id FROM kolibriauth_collection WHERE kind = 'classroom' ORDER BY name"))
        {
            Execute(database, """
                INSERT INTO kolibriauth_membership (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id)
                VALUES ($id, TRUE, $source, '', $class, $dataset, $user)
                """, ("$id", Guid.NewGuid().ToString("N")), ("$source", classId), ("$class", classId), ("$dataset", dataset), ("$user", learner));
            Execute(database, """
                INSERT INTO kolibriauth_role (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id, kind)
                VALUES ($id, TRUE, $source, '', $class, $dataset, $user, 'coach')
                """, ("$id", Guid.NewGuid().ToString("N")), ("$source", classId), ("$class", classId), ("$dataset", dataset), ("$user", coach));
        }

        var classes = ClassNamesInExportOrder(database, engine);
        Assert.Equal(5, classes.Count);
        var learnerRead = ReadUser(database, "learner01");
        Assert.Equal(classes, learnerRead.EnrolledIn);
        Assert.Empty(learnerRead.AssignedTo);
        Assert.Equal(UserType.LEARNER, learnerRead.Type);
        var coachRead = ReadUser(database, "ccoach1");
        Assert.Equal(classes, coachRead.AssignedTo);
        Assert.Equal(UserType.CLASS_COACH, coachRead.Type);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_second_facility_with_a_class_and_no_users_reads_none_and_leaves_the_first_ones_export_as_kolibris(string engine)
    {
        var database = NewDatabase(engine);
        var dataset = Column(database, "SELECT dataset_id FROM kolibriauth_collection WHERE kind = 'facility'")[0];
        Execute(database, """
            INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
            VALUES ($facility, TRUE, $source, '', 'Second School', 'facility', $dataset, NULL)
            """, ("$facility", SecondFacilityId), ("$source", SecondFacilityId), ("$dataset", dataset));
        Execute(database, """
            INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
            VALUES ($class, TRUE, $source, '', 'Class A', 'classroom', $dataset, $facility)
            """, ("$class", SecondClassId), ("$source", SecondClassId), ("$dataset", dataset), ("$facility", SecondFacilityId));

        using var db = KolibriDatabase.OpenRead(database);
        var directory = new FacilityDirectory(db);
        var second = directory.Resolve("Second School");
        Assert.Equal(SecondFacilityId, second.Id);
        Assert.Empty(new UserReader(db).Read(second));
        Assert.Empty(new UserReader(db).Read(second, new UserQuery { ClassIds = [SecondClassId] }));

        using var output = new MemoryStream();
        new UsersCsvExporter().Write(output, CsvEncodings.KolibriDefault, new UserReader(db).Read(directory.Resolve(null)));
        Assert.Equal(File.ReadAllBytes(ExportFile(engine)), output.ToArray());
    }
}
