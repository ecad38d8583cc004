using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Tests.Sandbox;

public sealed class SandboxDatabaseTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private SandboxResult Create(int users, int? seed = 5, string name = "db.sqlite3") =>
        SandboxDatabase.Create(folder.File(name), new SandboxOptions { FacilityName = "Test School", SampleUsers = users, Seed = seed });

    [Fact]
    public void A_sandbox_is_a_valid_kolibri_database_with_a_default_facility_and_a_superuser()
    {
        var result = Create(300);
        using var db = KolibriDatabase.OpenRead(result.Path);
        var facility = db.DefaultFacility();
        Assert.Equal("Test School", facility.Name);
        Assert.True(facility.IsDefault);
        Assert.Equal(301, facility.UserCount);
        Assert.Equal(result.Classes, facility.ClassCount);
        Assert.Equal(8, result.Classes); // one class per 35 users

        var users = new UserReader(db).Read(facility).ToList();
        var admin = Assert.Single(users, u => u.IsSuperuser);
        Assert.Equal("admin", admin.Username);
        Assert.Equal(UserType.ADMIN, admin.Type);
        Assert.Contains(users, u => u.Type == UserType.CLASS_COACH && u.AssignedTo.Count > 0);
        Assert.Contains(users, u => u.Type == UserType.FACILITY_COACH);
        Assert.True(users.Count(u => u.Type == UserType.LEARNER) > 250);
        Assert.All(users.Where(u => u.Type == UserType.LEARNER), u => Assert.InRange(u.EnrolledIn.Count, 1, 2));
        Assert.Equal(users.Count, users.Select(u => u.Username.ToLowerInvariant()).Distinct().Count());
    }

    [Fact]
    public void Every_row_carries_morango_ids_partitions_and_dirty_bits_as_kolibri_computes_them()
    {
        var result = Create(120);
        using var connection = Open(result.Path);
        var dataset = Scalar(connection, "SELECT id FROM kolibriauth_facilitydataset");
        Assert.Equal(result.DatasetId, dataset);

        foreach (var row in Rows(connection, "SELECT id, _morango_source_id, _morango_partition, _morango_dirty_bit FROM kolibriauth_facilityuser"))
        {
            var expected = MorangoId.ForUser(dataset, row[1]);
            Assert.Equal(expected.Id, row[0]);
            Assert.Equal(expected.Partition, row[2]);
            Assert.Equal("1", row[3]);
        }

        foreach (var row in Rows(connection, "SELECT id, user_id, collection_id, kind, _morango_source_id, _morango_partition FROM kolibriauth_role"))
        {
            var expected = MorangoId.ForRole(dataset, row[1], row[2], row[3]);
            Assert.Equal(expected.Id, row[0]);
            Assert.Equal(expected.SourceId, row[4]);
            Assert.Equal(expected.Partition, row[5]);
        }

        foreach (var row in Rows(connection, "SELECT id, user_id, collection_id, _morango_partition FROM kolibriauth_membership"))
        {
            var expected = MorangoId.ForMembership(dataset, row[1], row[2]);
            Assert.Equal(expected.Id, row[0]);
            Assert.Equal(expected.Partition, row[3]);
        }

        foreach (var row in Rows(connection, "SELECT id, kind, _morango_source_id, _morango_partition FROM kolibriauth_collection"))
        {
            var expected = MorangoId.ForCollection(row[1], dataset, row[2]);
            Assert.Equal(expected.Id, row[0]);
            Assert.Equal(expected.Partition, row[3]);
        }

        Assert.Equal("ok", Scalar(connection, "PRAGMA integrity_check"));
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode"));
    }

    [Fact]
    public void The_dataset_id_is_the_root_certificate_id_and_the_certificate_is_self_signed()
    {
        var result = Create(0);
        using var connection = Open(result.Path);
        var row = Rows(connection, "SELECT id, public_key, profile, salt, serialized, signature, scope_params FROM morango_certificate").Single();
        Assert.Equal(result.DatasetId, row[0]);
        Assert.Equal(row[0], MorangoCertificate.CalculateId(row[1], row[2], row[3]));
        Assert.True(MorangoCertificate.VerifySignature(row[1], row[4], row[5]));
        Assert.Equal("{\"dataset_id\": \"" + row[0] + "\"}", row[6]);
        Assert.Equal(result.DatasetId + ":allusers-ro", Scalar(connection, "SELECT _morango_partition FROM kolibriauth_facilitydataset"));
    }

    [Fact]
    public void Passwords_are_kolibri_hashes_of_the_documented_passwords()
    {
        var result = Create(5);
        using var connection = Open(result.Path);
        Assert.True(DjangoPassword.Verify(SandboxDefaults.AdminPassword, Scalar(connection, "SELECT password FROM kolibriauth_facilityuser WHERE username = 'admin'")));
        Assert.True(DjangoPassword.Verify(SandboxDefaults.SamplePassword, Scalar(connection, "SELECT password FROM kolibriauth_facilityuser WHERE username <> 'admin' LIMIT 1")));
    }

    [Fact]
    public void The_same_seed_gives_the_same_people()
    {
        var first = Create(50, seed: 11, name: "a.sqlite3");
        var second = Create(50, seed: 11, name: "b.sqlite3");
        Assert.Equal(Usernames(first.Path), Usernames(second.Path));
    }

    [Fact]
    public void An_existing_file_is_never_overwritten()
    {
        var path = folder.File("db.sqlite3");
        File.WriteAllText(path, "precious");
        Assert.Throws<IOException>(() => Create(3));
        Assert.Equal("precious", File.ReadAllText(path));
    }

    private static List<string> Usernames(string path)
    {
        using var connection = Open(path);
        return Rows(connection, "SELECT username FROM kolibriauth_facilityuser ORDER BY rowid").Select(r => r[0]).ToList();
    }

    private static SqliteConnection Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static string Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture)!;
    }

    private static List<string[]> Rows(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<string[]>();
        while (reader.Read())
        {
            rows.Add(Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)!).ToArray());
        }

        return rows;
    }
}
