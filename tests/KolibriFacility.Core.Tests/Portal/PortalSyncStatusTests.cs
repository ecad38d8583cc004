using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Tests.Portal;

public sealed class PortalSyncStatusTests : IDisposable
{
    private const string DatasetId = "e53af19467e2a90b59f255d539e476a6";
    private readonly TempFolder home = new();
    private readonly string path;

    public PortalSyncStatusTests()
    {
        path = home.CopyFixtureDatabase();
    }

    public void Dispose() => home.Dispose();

    /// <summary>Inserts a client-side sync session as morango 0.8 writes it, with its transfer sessions.</summary>
    internal static void AddSession(string databasePath, string id, string server, string start, string end, bool active, params (bool Push, string Stage, string Status, long Records)[] transfers)
    {
        using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        connection.Open();
        using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO morango_syncsession (id, start_timestamp, last_activity_timestamp, active, connection_kind, connection_path, is_server,
                client_ip, profile, server_ip, client_certificate_id, server_certificate_id, extra_fields, process_id, client_instance_json, server_instance_json, client_instance_id, server_instance_id)
            VALUES ($id, $start, $end, $active, 'network', $server, 0, '127.0.0.1', 'facilitydata', '', $cert, NULL, '{}', 1234, '{}', '{}', NULL, NULL)
            """;
        insert.Parameters.AddWithValue("$id", id);
        insert.Parameters.AddWithValue("$start", start);
        insert.Parameters.AddWithValue("$end", end);
        insert.Parameters.AddWithValue("$active", active);
        insert.Parameters.AddWithValue("$server", server);
        insert.Parameters.AddWithValue("$cert", DatasetId);
        insert.ExecuteNonQuery();
        var n = 0;
        foreach (var t in transfers)
        {
            using var transfer = connection.CreateCommand();
            transfer.CommandText = """
                INSERT INTO morango_transfersession (id, filter, push, active, records_total, sync_session_id, last_activity_timestamp, client_fsic,
                    records_transferred, server_fsic, start_timestamp, bytes_received, bytes_sent, transfer_stage, transfer_stage_status)
                VALUES ($id, $filter, $push, 0, $records, $sync, $end, '{}', $records, '{}', $start, 1000, 2000, $stage, $status)
                """;
            transfer.Parameters.AddWithValue("$id", id[..30] + (n++).ToString("00"));
            transfer.Parameters.AddWithValue("$filter", DatasetId);
            transfer.Parameters.AddWithValue("$push", t.Push);
            transfer.Parameters.AddWithValue("$records", t.Records);
            transfer.Parameters.AddWithValue("$sync", id);
            transfer.Parameters.AddWithValue("$start", start);
            transfer.Parameters.AddWithValue("$end", end);
            transfer.Parameters.AddWithValue("$stage", t.Stage);
            transfer.Parameters.AddWithValue("$status", t.Status);
            transfer.ExecuteNonQuery();
        }
    }

    [Fact]
    public void A_never_synced_facility_shows_its_flag_portal_and_no_sessions()
    {
        using var db = KolibriDatabase.OpenRead(path);
        var status = new PortalSyncStatusReader(db).Read(db.DefaultFacility(), environment: _ => null);
        Assert.Equal("Demo Facility", status.Facility);
        Assert.False(status.Registered);
        Assert.True(status.OwnsCertificate);
        Assert.Equal(PortalUrls.KolibriDefault, status.PortalUrl);
        Assert.Equal(PortalUrlSource.KolibriDefault, status.PortalUrlSource);
        Assert.Null(status.LastSuccessfulSync);
        Assert.Empty(status.Sessions);
    }

    [Fact]
    public void The_last_successful_sync_is_the_newest_closed_session_whose_transfers_all_completed()
    {
        AddSession(path, new string('a', 32), "https://kolibridataportal.learningequality.org", "2025-01-10 08:00:00.000000", "2025-01-10 08:05:00.250000", false,
            (false, "cleanup", "completed", 12), (true, "cleanup", "completed", 340));
        AddSession(path, new string('b', 32), "http://10.0.0.5:8080", "2025-01-12 09:00:00", "2025-01-12 09:01:00", false,
            (false, "cleanup", "completed", 5), (true, "cleanup", "completed", 7));
        AddSession(path, new string('c', 32), "https://kolibridataportal.learningequality.org", "2025-01-14 10:00:00.000000", "2025-01-14 10:02:00.000000", true,
            (false, "cleanup", "completed", 3), (true, "transferring", "started", 40));

        using var db = KolibriDatabase.OpenRead(path);
        var status = new PortalSyncStatusReader(db).Read(db.DefaultFacility(), sessionCount: 2, environment: _ => null);

        Assert.Equal(new DateTimeOffset(2025, 1, 12, 9, 1, 0, TimeSpan.Zero), status.LastSuccessfulSync);
        Assert.Equal("http://10.0.0.5:8080", status.LastSuccessfulServer);
        Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 5, 0, 250, TimeSpan.Zero), status.LastPortalSync);
        Assert.Equal(2, status.Sessions.Count);
        var open = status.Sessions[0];
        Assert.Equal(new string('c', 32), open.Id);
        Assert.True(open.IsPortal);
        Assert.True(open.Active);
        Assert.False(open.Completed);
        Assert.Equal("transferring", open.Stage);
        Assert.Equal(3, open.RecordsReceived);
        Assert.Equal(40, open.RecordsSent);
        var peer = status.Sessions[1];
        Assert.False(peer.IsPortal);
        Assert.True(peer.Completed && peer.Pulled && peer.Pushed);
    }

    [Fact]
    public void Marking_registered_sets_the_flag_and_dirty_bit_of_that_dataset_only()
    {
        string Snapshot() => Sql("SELECT group_concat(id || ':' || registered || ':' || _morango_dirty_bit || ':' || preset || ':' || learner_can_sign_up, ';') FROM kolibriauth_facilitydataset");
        Sql("UPDATE kolibriauth_facilitydataset SET _morango_dirty_bit = 0");
        var before = Snapshot();

        FacilityRegistrationStore.MarkRegistered(path, DatasetId);

        Assert.Equal(before.Replace($"{DatasetId}:0:0:", $"{DatasetId}:1:1:", StringComparison.Ordinal), Snapshot());
        using var db = KolibriDatabase.OpenRead(path);
        Assert.True(new PortalSyncStatusReader(db).Read(db.DefaultFacility(), environment: _ => null).Registered);
        Assert.Throws<KolibriDatabaseException>(() => FacilityRegistrationStore.MarkRegistered(path, new string('0', 32)));
    }

    private string Sql(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar()?.ToString() ?? "";
    }
}
