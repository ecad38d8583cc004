using System.Globalization;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// Reads a facility's registration flag and its sync sessions from Kolibri's morango tables. A session belongs to
/// the facility when one of its transfer sessions filters on the facility's dataset (morango Filter(dataset_id))
/// or its certificates are in the facility's certificate tree. A session counts as completed when it is closed and
/// all of its transfer sessions reached stage "cleanup" with status "completed".
/// </summary>
public sealed class PortalSyncStatusReader(KolibriDatabase database)
{
    public PortalSyncStatus Read(Facility facility, int sessionCount = 5, Func<string, string?>? environment = null)
    {
        var portal = PortalUrls.Resolve(null, database.Home, environment);
        var sessions = ReadSessions(facility.DatasetId, portal.Url).ToList();
        var completed = sessions.Where(s => s.Completed).ToList();
        var lastPortal = completed.Where(s => s.IsPortal).Select(s => (DateTimeOffset?)s.LastActivity).FirstOrDefault();
        var last = completed.FirstOrDefault();
        return new PortalSyncStatus
        {
            Facility = facility.Name,
            FacilityId = facility.Id,
            DatasetId = facility.DatasetId,
            Registered = ReadRegistered(facility.DatasetId),
            PortalUrl = portal.Url,
            PortalUrlSource = portal.Source,
            OwnsCertificate = new FacilityCertificates(database).FindOwnedFullFacility(facility.DatasetId) is not null,
            LastPortalSync = lastPortal,
            LastSuccessfulSync = last?.LastActivity,
            LastSuccessfulServer = last?.Server,
            Sessions = sessions.Take(Math.Max(0, sessionCount)).ToList(),
            Database = database.Path,
        };
    }

    private bool ReadRegistered(string datasetId)
    {
        using var command = database.Command("SELECT registered FROM kolibriauth_facilitydataset WHERE id = $id");
        command.Parameters.AddWithValue("$id", datasetId);
        // An integer on SQLite, a boolean on PostgreSQL.
        return command.ExecuteScalar() is { } value && Convert.ToBoolean(value, CultureInfo.InvariantCulture);
    }

    /// <remarks>
    /// The SQL runs on both engines: morango's booleans (push, active, is_server) are tested as conditions, never
    /// compared with 0 or 1, which PostgreSQL's boolean columns refuse; counts and sums are read as whatever integer
    /// the engine gives (PostgreSQL's SUM of a bigint is numeric). The filter prefix is a parameter of its own: on
    /// PostgreSQL one parameter cannot be both the uuid of a certificate and the text of a filter.
    /// </remarks>
    private IEnumerable<SyncSessionInfo> ReadSessions(string datasetId, string portalUrl)
    {
        using var command = database.Command("""
            SELECT s.id, s.connection_path, s.is_server, s.start_timestamp, s.last_activity_timestamp, s.active,
                   (SELECT COUNT(*) FROM morango_transfersession t WHERE t.sync_session_id = s.id) AS transfers,
                   (SELECT COUNT(*) FROM morango_transfersession t WHERE t.sync_session_id = s.id
                        AND t.transfer_stage = 'cleanup' AND t.transfer_stage_status = 'completed') AS done,
                   (SELECT COUNT(*) FROM morango_transfersession t WHERE t.sync_session_id = s.id AND NOT t.push) AS pulls,
                   (SELECT COUNT(*) FROM morango_transfersession t WHERE t.sync_session_id = s.id AND t.push) AS pushes,
                   (SELECT COALESCE(SUM(t.records_transferred), 0) FROM morango_transfersession t WHERE t.sync_session_id = s.id AND NOT t.push) AS received,
                   (SELECT COALESCE(SUM(t.records_transferred), 0) FROM morango_transfersession t WHERE t.sync_session_id = s.id AND t.push) AS sent,
                   (SELECT COALESCE(SUM(t.bytes_received), 0) FROM morango_transfersession t WHERE t.sync_session_id = s.id) AS bytes_received,
                   (SELECT COALESCE(SUM(t.bytes_sent), 0) FROM morango_transfersession t WHERE t.sync_session_id = s.id) AS bytes_sent,
                   (SELECT t.transfer_stage FROM morango_transfersession t WHERE t.sync_session_id = s.id ORDER BY t.transfer_stage_status = 'completed', t.last_activity_timestamp DESC LIMIT 1) AS stage,
                   (SELECT t.transfer_stage_status FROM morango_transfersession t WHERE t.sync_session_id = s.id ORDER BY t.transfer_stage_status = 'completed', t.last_activity_timestamp DESC LIMIT 1) AS stage_status
            FROM morango_syncsession s
            WHERE s.profile = 'facilitydata'
              AND (EXISTS (SELECT 1 FROM morango_transfersession t WHERE t.sync_session_id = s.id AND substr(t.filter, 1, $filterLength) = $filterPrefix)
                   OR s.client_certificate_id IN (SELECT c.id FROM morango_certificate c WHERE c.tree_id = (SELECT tree_id FROM morango_certificate WHERE id = $dataset))
                   OR s.server_certificate_id IN (SELECT c.id FROM morango_certificate c WHERE c.tree_id = (SELECT tree_id FROM morango_certificate WHERE id = $dataset)))
            ORDER BY s.last_activity_timestamp DESC, s.start_timestamp DESC
            """);
        command.Parameters.AddWithValue("$dataset", datasetId);
        command.Parameters.AddWithValue("$filterPrefix", datasetId);
        command.Parameters.AddWithValue("$filterLength", datasetId.Length); // an int: PostgreSQL's substr takes integer, not bigint
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var server = reader.GetString(reader.GetOrdinal("connection_path"));
            var transfers = reader.GetInt64(reader.GetOrdinal("transfers"));
            var active = reader.GetBoolean(reader.GetOrdinal("active"));
            yield return new SyncSessionInfo
            {
                Id = reader.GetString(reader.GetOrdinal("id")),
                Server = server,
                IsPortal = PortalUrls.SameServer(server, portalUrl),
                IsServer = reader.GetBoolean(reader.GetOrdinal("is_server")),
                Started = ParseDjango(reader.GetString(reader.GetOrdinal("start_timestamp"))),
                LastActivity = ParseDjango(reader.GetString(reader.GetOrdinal("last_activity_timestamp"))),
                Active = active,
                Pulled = reader.GetInt64(reader.GetOrdinal("pulls")) > 0,
                Pushed = reader.GetInt64(reader.GetOrdinal("pushes")) > 0,
                RecordsReceived = reader.GetInt64(reader.GetOrdinal("received")),
                RecordsSent = reader.GetInt64(reader.GetOrdinal("sent")),
                BytesReceived = reader.GetInt64(reader.GetOrdinal("bytes_received")),
                BytesSent = reader.GetInt64(reader.GetOrdinal("bytes_sent")),
                Completed = !active && transfers > 0 && reader.GetInt64(reader.GetOrdinal("done")) == transfers,
                Stage = reader.IsDBNull(reader.GetOrdinal("stage")) ? null : reader.GetString(reader.GetOrdinal("stage")),
                StageStatus = reader.IsDBNull(reader.GetOrdinal("stage_status")) ? null : reader.GetString(reader.GetOrdinal("stage_status")),
            };
        }
    }

    /// <summary>
    /// Django stores aware datetimes on SQLite as UTC text ("2025-01-31 10:00:00.123456", sometimes with "+00:00");
    /// PostgreSQL's timestamptz comes in the same text (<see cref="Storage.Postgres.PostgresDataReader"/>).
    /// </summary>
    internal static DateTimeOffset ParseDjango(string text) =>
        DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
