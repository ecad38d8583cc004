using System.Net;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

/// <summary>
/// The portal's storage side with one test body on both engines: the sync status read from morango's tables, the
/// registration flag, and the whole Invoke-PortalSync workflow (the loopback portal stand-in, the stand-in for
/// Kolibri's command) on the SQLite fixture and on its PostgreSQL twin in the tests' private server, reached through
/// a KOLIBRI_HOME whose options.ini names it, as Kolibri's own sync reaches it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PortalBothEnginesTests(PostgresServer server) : IDisposable
{
    private const string PortalUrl = "https://kolibridataportal.learningequality.org";
    private readonly TempFolder folder = new();
    private PostgresTestDatabase? postgres;

    public static TheoryData<string> Engines => ["sqlite", "postgres"];

    public void Dispose()
    {
        postgres?.Dispose();
        folder.Dispose();
    }

    /// <summary>A writable database: a copy of the SQLite fixture (db.sqlite3 in a home), or a fresh copy of the PostgreSQL one (its home folder).</summary>
    private string Database(string engine)
    {
        if (engine == "sqlite")
        {
            return folder.CopyFixtureDatabase();
        }

        postgres = server.CreateDatabase();
        return postgres.Home.Path;
    }

    private static string HomeOf(string database) => Directory.Exists(database) ? database : Path.GetDirectoryName(database)!;

    /// <summary>Inserts a client-side sync session as morango 0.8 writes it, with its transfer sessions, through the module's own storage layer.</summary>
    private static void AddSession(string database, string datasetId, string id, string server, string start, string end, bool active, params (bool Push, string Stage, string Status, long Records)[] transfers)
    {
        using var db = KolibriDatabase.OpenWrite(database);
        using var transaction = db.Connection.BeginTransaction();
        using (var insert = db.Command("""
            INSERT INTO morango_syncsession (id, start_timestamp, last_activity_timestamp, active, connection_kind, connection_path, is_server,
                client_ip, profile, server_ip, client_certificate_id, server_certificate_id, extra_fields, process_id, client_instance_json, server_instance_json, client_instance_id, server_instance_id)
            VALUES ($id, $start, $end, $active, 'network', $server, $isServer, '127.0.0.1', 'facilitydata', '', $cert, NULL, '{}', 1234, '{}', '{}', NULL, NULL)
            """, transaction))
        {
            insert.Parameters.AddWithValue("$id", id);
            insert.Parameters.AddWithValue("$start", start);
            insert.Parameters.AddWithValue("$end", end);
            insert.Parameters.AddWithValue("$active", active);
            insert.Parameters.AddWithValue("$isServer", false);
            insert.Parameters.AddWithValue("$server", server);
            insert.Parameters.AddWithValue("$cert", datasetId);
            insert.ExecuteNonQuery();
        }

        var n = 0;
        foreach (var t in transfers)
        {
            using var transfer = db.Command("""
                INSERT INTO morango_transfersession (id, filter, push, active, records_total, sync_session_id, last_activity_timestamp, client_fsic,
                    records_transferred, server_fsic, start_timestamp, bytes_received, bytes_sent, transfer_stage, transfer_stage_status)
                VALUES ($id, $filter, $push, $active, $records, $sync, $end, '{}', $records, '{}', $start, 1000, 2000, $stage, $status)
                """, transaction);
            transfer.Parameters.AddWithValue("$id", id[..30] + (n++).ToString("00", System.Globalization.CultureInfo.InvariantCulture));
            transfer.Parameters.AddWithValue("$filter", datasetId);
            transfer.Parameters.AddWithValue("$push", t.Push);
            transfer.Parameters.AddWithValue("$active", false);
            transfer.Parameters.AddWithValue("$records", t.Records);
            transfer.Parameters.AddWithValue("$sync", id);
            transfer.Parameters.AddWithValue("$start", start);
            transfer.Parameters.AddWithValue("$end", end);
            transfer.Parameters.AddWithValue("$stage", t.Stage);
            transfer.Parameters.AddWithValue("$status", t.Status);
            transfer.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>The dataset's registered flag and dirty bit as "registered:dirty" with 1/0 on both engines.</summary>
    private static string Flags(string database, string datasetId)
    {
        using var db = KolibriDatabase.OpenRead(database);
        using var command = db.Command("SELECT CASE WHEN registered THEN 1 ELSE 0 END, CASE WHEN _morango_dirty_bit THEN 1 ELSE 0 END FROM kolibriauth_facilitydataset WHERE id = $id");
        command.Parameters.AddWithValue("$id", datasetId);
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        return reader.GetInt64(0) + ":" + reader.GetInt64(1);
    }

    /// <summary>Every dataset row, whole but for the two flags registration sets, to show that nothing else changes.</summary>
    private static string DatasetsButFlags(string database)
    {
        using var db = KolibriDatabase.OpenRead(database);
        using var command = db.Command("SELECT * FROM kolibriauth_facilitydataset ORDER BY id");
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount)
                .Where(i => reader.GetName(i) is not ("registered" or "_morango_dirty_bit"))
                .Select(i => reader.GetName(i) + "=" + (reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)))));
        }

        return string.Join("\n", rows);
    }

    private static Facility DefaultFacility(string database)
    {
        using var db = KolibriDatabase.OpenRead(database);
        return db.DefaultFacility();
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_never_synced_facility_shows_its_flag_portal_and_no_sessions(string engine)
    {
        using var db = KolibriDatabase.OpenRead(Database(engine));
        var status = new PortalSyncStatusReader(db).Read(db.DefaultFacility(), environment: _ => null);
        Assert.Equal("Demo Facility", status.Facility);
        Assert.False(status.Registered);
        Assert.True(status.OwnsCertificate);
        Assert.Equal(PortalUrls.KolibriDefault, status.PortalUrl);
        Assert.Null(status.LastSuccessfulSync);
        Assert.Empty(status.Sessions);
        Assert.Equal(db.Path, status.Database);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void The_last_successful_sync_is_the_newest_closed_session_whose_transfers_all_completed(string engine)
    {
        var database = Database(engine);
        var dataset = DefaultFacility(database).DatasetId;
        AddSession(database, dataset, new string('a', 32), PortalUrl, "2025-01-10 08:00:00.000000", "2025-01-10 08:05:00.250000", false,
            (false, "cleanup", "completed", 12), (true, "cleanup", "completed", 340));
        AddSession(database, dataset, new string('b', 32), "http://10.0.0.5:8080", "2025-01-12 09:00:00", "2025-01-12 09:01:00", false,
            (false, "cleanup", "completed", 5), (true, "cleanup", "completed", 7));
        AddSession(database, dataset, new string('c', 32), PortalUrl, "2025-01-14 10:00:00.000000", "2025-01-14 10:02:00.000000", true,
            (false, "cleanup", "completed", 3), (true, "transferring", "started", 40));
        AddSession(database, dataset, new string('d', 32), "http://10.0.0.6:8080", "2025-01-09 07:00:00", "2025-01-09 07:00:30", false,
            (false, "cleanup", "completed", 9));

        using var db = KolibriDatabase.OpenRead(database);
        var status = new PortalSyncStatusReader(db).Read(db.DefaultFacility(), sessionCount: 10, environment: _ => null);

        Assert.Equal(new DateTimeOffset(2025, 1, 12, 9, 1, 0, TimeSpan.Zero), status.LastSuccessfulSync);
        Assert.Equal("http://10.0.0.5:8080", status.LastSuccessfulServer);
        Assert.Equal(new DateTimeOffset(2025, 1, 10, 8, 5, 0, 250, TimeSpan.Zero), status.LastPortalSync);
        Assert.Equal([new string('c', 32), new string('b', 32), new string('a', 32), new string('d', 32)], status.Sessions.Select(s => s.Id));
        var open = status.Sessions[0];
        Assert.True(open.IsPortal);
        Assert.True(open.Active);
        Assert.False(open.Completed);
        Assert.False(open.IsServer);
        Assert.Equal(("transferring", "started"), (open.Stage, open.StageStatus));
        Assert.Equal((3L, 40L, 2000L, 4000L), (open.RecordsReceived, open.RecordsSent, open.BytesReceived, open.BytesSent));
        Assert.Equal(new DateTimeOffset(2025, 1, 14, 10, 0, 0, TimeSpan.Zero), open.Started);
        var peer = status.Sessions[1];
        Assert.False(peer.IsPortal);
        Assert.True(peer.Completed && peer.Pulled && peer.Pushed);
        var pullOnly = status.Sessions[3];
        Assert.True(pullOnly.Completed && pullOnly.Pulled);
        Assert.False(pullOnly.Pushed);
        Assert.Equal((9L, 0L), (pullOnly.RecordsReceived, pullOnly.RecordsSent));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Marking_registered_sets_the_flag_and_dirty_bit_of_that_dataset_only(string engine)
    {
        var database = Database(engine);
        var dataset = DefaultFacility(database).DatasetId;
        using (var db = KolibriDatabase.OpenWrite(database))
        using (var clear = db.Command("UPDATE kolibriauth_facilitydataset SET _morango_dirty_bit = FALSE"))
        {
            clear.ExecuteNonQuery();
        }

        var before = DatasetsButFlags(database);
        Assert.Equal("0:0", Flags(database, dataset));

        FacilityRegistrationStore.MarkRegistered(database, dataset);

        Assert.Equal("1:1", Flags(database, dataset));
        Assert.Equal(before, DatasetsButFlags(database));
        using (var db = KolibriDatabase.OpenRead(database))
        {
            Assert.True(new PortalSyncStatusReader(db).Read(db.DefaultFacility(), environment: _ => null).Registered);
        }

        Assert.Throws<KolibriDatabaseException>(() => FacilityRegistrationStore.MarkRegistered(database, new string('0', 32)));
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void Kolibris_sync_runs_with_the_home_whose_settings_name_the_database(string engine)
    {
        var database = Database(engine);
        Assert.Equal(HomeOf(database), KolibriSyncHome.Of(database, out var whyNot));
        Assert.Null(whyNot);
    }

    [Fact]
    public void A_database_kolibri_cannot_be_pointed_at_has_no_sync_home()
    {
        Assert.Null(KolibriSyncHome.Of(folder.CopyFixtureDatabase("copy.sqlite3"), out var whyNot));
        Assert.Contains("db.sqlite3", whyNot, StringComparison.Ordinal);

        Assert.Null(KolibriSyncHome.Of("postgres://kolibri@127.0.0.1:5432/kolibri", out whyNot));
        Assert.Contains("no KOLIBRI_HOME", whyNot, StringComparison.Ordinal);

        // A db.sqlite3 in a home whose Kolibri runs on PostgreSQL: Kolibri would sync the PostgreSQL database instead.
        var file = folder.CopyFixtureDatabase();
        File.WriteAllText(folder.File("options.ini"), "[Database]\nDATABASE_ENGINE = postgres\nDATABASE_NAME = kolibri\n");
        Assert.Null(KolibriSyncHome.Of(file, out whyNot));
        Assert.Contains("uses PostgreSQL", whyNot, StringComparison.Ordinal);
        Assert.Equal(folder.Path, KolibriSyncHome.Of(folder.Path, out _));
    }

    [Fact]
    public void On_sqlite_the_sync_home_is_the_one_whose_settings_name_the_file_as_kolibri_opens_it()
    {
        // A KOLIBRI_HOME folder given as -Database: Kolibri syncs the file the module opens there.
        using var home = new TempFolder();
        var file = home.CopyFixtureDatabase();
        Assert.Equal(home.Path, KolibriSyncHome.Of(home.Path, out var whyNot));
        Assert.Null(whyNot);
        Assert.Equal(home.Path, KolibriSyncHome.Of(file, out _));

        // DATABASE_NAME names another file: that one is what Kolibri syncs, and db.sqlite3 is not.
        File.Copy(file, home.File("school.sqlite3"));
        File.WriteAllText(home.File("options.ini"), "[Database]\nDATABASE_ENGINE = sqlite\nDATABASE_NAME = school.sqlite3\n");
        Assert.Equal(home.Path, KolibriSyncHome.Of(home.File("school.sqlite3"), out _));
        Assert.Null(KolibriSyncHome.Of(file, out whyNot));
        Assert.Contains(home.File("school.sqlite3"), whyNot, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Engines))]
    public void A_token_registers_the_facility_marks_it_and_kolibri_syncs_it_from_its_home(string engine)
    {
        const string sentToken = "kx7qpm2vd9";
        var database = Database(engine);
        var home = HomeOf(database);
        var facility = DefaultFacility(database);
        using var portal = new PortalStandIn("Nairobi Learning Centres", sentToken) { RequireSyncBeforeRegistration = true };
        KolibriStandIn.SetScenario(home, "success", contactServer: true);
        var token = new NetworkCredential("", "kx7qp-m2vd9").SecurePassword;
        token.MakeReadOnly();

        var result = new PortalSyncService(new AcceptingHost()).Run(new PortalSyncOptions
        {
            Facility = facility,
            DatabasePath = database,
            ServerUrl = portal.BaseUrl,
            IsPortal = true,
            Token = token,
            Program = new KolibriProgram(KolibriStandIn.Executable, [], "test"),
        }, CancellationToken.None);

        Assert.NotNull(result);
        Assert.Equal(SyncState.Completed, result.Status);
        Assert.True(result.Registered);
        Assert.Equal(database, result.Database);
        Assert.Equal(Path.Combine(home, "logs", "kolibri.txt"), result.KolibriLog);
        var registration = Assert.Single(portal.Registrations);
        Assert.Equal(facility.Id, registration.FacilityId);
        Assert.Equal(facility.DatasetId, registration.ClientCertificateId);
        Assert.Empty(portal.Rejections);
        Assert.Equal("1:1", Flags(database, facility.DatasetId));
        var starts = KolibriStandIn.Starts(home);
        Assert.Equal(2, starts.Count); // the first sync the portal asked for, then the sync after registering
        Assert.All(starts, s => Assert.Equal(home, s.GetProperty("kolibriHome").GetString()));
        Assert.All(starts, s => Assert.Equal(home, s.GetProperty("cwd").GetString()));
    }

    private sealed class AcceptingHost : IPortalSyncHost
    {
        public bool PreviewOnly => false;

        public bool ShouldProcess(string target, string action) => true;

        public void Verbose(string message)
        {
        }

        public void Warning(string message)
        {
        }

        public void SyncStarting(KolibriSyncRequest request)
        {
        }

        public void SyncLine(KolibriOutputLine line)
        {
        }

        public void SyncFinished(SyncResult result)
        {
        }
    }
}
