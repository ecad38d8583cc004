using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

/// <summary>
/// The read side with one test body on both engines: the SQLite fixture and its PostgreSQL twin (made by real Kolibri
/// 0.17.5 on PostgreSQL 15, restored into the tests' private server), each against the files Kolibri exported from it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class BothEnginesTests(PostgresServer server) : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    public static TheoryData<string> Engines => ["sqlite", "postgres"];

    /// <summary>What -Database would be: the SQLite file, or the KOLIBRI_HOME whose options.ini names the PostgreSQL database.</summary>
    private string Database(string engine) => engine == "sqlite" ? folder.CopyFixtureDatabase() : server.ReadOnlyDatabase.Home.Path;

    private static string ExportFile(string engine, string name) => engine == "sqlite" ? TestPaths.Fixture(name) : PostgresServer.Fixture(name);

    private static string FacilityIdOf(string engine) => engine == "sqlite" ? KolibriSmall.FacilityId : "13ef67cfd227458fdb7dac03cafa05f4";

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_engine_is_the_one_the_home_names(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        Assert.Equal(engine == "sqlite" ? DatabaseEngine.Sqlite : DatabaseEngine.PostgreSql, db.Engine);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_facility_is_read_with_its_counts_and_flags(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var facility = Assert.Single(new FacilityDirectory(db).GetFacilities());
        Assert.Equal(FacilityIdOf(engine), facility.Id);
        Assert.Equal(KolibriSmall.FacilityName, facility.Name);
        Assert.Equal(32, facility.DatasetId.Length);
        Assert.Equal((51, 5, "formal", true, false), (facility.UserCount, facility.ClassCount, facility.Preset, facility.IsDefault, facility.Registered));
        Assert.Equal(db.Path, facility.Database);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Classes_come_in_name_order_with_learner_and_coach_counts(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var directory = new FacilityDirectory(db);
        var classes = directory.GetClasses(directory.Resolve(null)).ToList();
        Assert.Equal(KolibriSmall.Classes.Select(c => (c.Name, c.Learners, c.Coaches)), classes.Select(c => (c.Name, c.LearnerCount, c.CoachCount)));
        Assert.All(classes, c => Assert.Matches("^[0-9a-f]{32}$", c.Id));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Users_have_their_types_classes_superuser_flag_and_timestamps(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var directory = new FacilityDirectory(db);
        var users = new UserReader(db).Read(directory.Resolve(null)).ToList();
        Assert.Equal(51, users.Count);
        Assert.Equal(KolibriSmall.Admins.Append("admin").Distinct().Order(), users.Where(u => u.Type == UserType.ADMIN).Select(u => u.Username).Order());
        Assert.Equal(KolibriSmall.Learners.Length, users.Count(u => u.Type == UserType.LEARNER));
        var superuser = Assert.Single(users, u => u.IsSuperuser);
        Assert.Equal("admin", superuser.Username);
        var coach = users.Single(u => u.Username == "ccoach6");
        Assert.Equal(["Class A", "Grade 5 Math", "Science 7"], coach.AssignedTo.Order());
        Assert.All(users, u => Assert.Matches("^[0-9a-f]{32}$", u.Id));
        Assert.All(users, u => Assert.NotNull(u.DateJoined));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Username_and_class_filters_select_the_same_users(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var directory = new FacilityDirectory(db);
        var facility = directory.Resolve(null);
        var reader = new UserReader(db);
        Assert.Equal(["admin", "learner07"], reader.Read(facility, new UserQuery { Usernames = ["ADMIN", "Learner07", "nobody"] }).Select(u => u.Username).Order());
        var classA = directory.GetClasses(facility).Single(c => c.Name == "Class A");
        Assert.Equal(13, reader.Read(facility, new UserQuery { ClassIds = [classA.Id] }).Count());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Users_export_byte_for_byte_as_kolibris_bulkexportusers(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var facility = db.DefaultFacility();
        using var output = new MemoryStream();
        new UsersCsvExporter().Write(output, CsvEncodings.KolibriDefault, new UserReader(db).Read(facility));
        Assert.Equal(File.ReadAllBytes(ExportFile(engine, "users-export.csv")), output.ToArray());
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Session_logs_export_byte_for_byte_as_kolibris_exportlogs(string engine) =>
        Assert.Equal(File.ReadAllBytes(ExportFile(engine, "logs-session.csv")), ExportLogs(engine, LogType.Session));

    [Theory]
    [MemberData(nameof(Engines))]
    public void Summary_logs_export_the_lines_of_kolibris_exportlogs(string engine)
    {
        // Kolibri's summary query has no ORDER BY, and after a PostgreSQL restore its own export came out in another
        // order (fixture README): the same header first and the same lines, compared as a set there.
        var expected = File.ReadAllBytes(ExportFile(engine, "logs-summary.csv"));
        var actual = ExportLogs(engine, LogType.Summary);
        if (engine == "sqlite")
        {
            Assert.Equal(expected, actual);
            return;
        }

        var expectedLines = Lines(expected);
        var actualLines = Lines(actual);
        Assert.Equal(expectedLines[0], actualLines[0]);
        Assert.Equal(expectedLines.Order(StringComparer.Ordinal), actualLines.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Typed_logs_and_the_first_log_date_read_alike(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var facility = db.DefaultFacility();
        var reader = new LogReader(db);
        var sessions = reader.Read(facility, new LogQuery()).Cast<SessionLog>().ToList();
        Assert.Equal(Lines(File.ReadAllBytes(ExportFile(engine, "logs-session.csv"))).Count - 1, sessions.Count);
        Assert.Equal(sessions.Count, reader.Count(facility, new LogQuery()));
        Assert.All(sessions, s => Assert.Matches("^[0-9a-f]{32}$", s.Id));
        Assert.Equal(sessions.Min(s => s.StartTime).UtcDateTime.Date, reader.FirstLogDate(facility)!.Value.ToDateTime(TimeOnly.MinValue));
    }

    private byte[] ExportLogs(string engine, LogType type)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var facility = db.DefaultFacility();
        using var stream = new MemoryStream();
        LogsCsvExporter.Write(stream, CsvEncodings.KolibriDefault, type, new LogReader(db).ReadRecords(facility, new LogQuery { Type = type }, csvColumnsOnly: true));
        return stream.ToArray();
    }

    private static List<string> Lines(byte[] csv) =>
        Encoding.UTF8.GetString(csv).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
}
