using System.Globalization;
using System.Text;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using System.Data.Common;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Streams a facility's content session or summary logs with one SQL statement, row by row, in the order Kolibri's
/// export writes them (database order within the facility's dataset), leaving out quiz logs (docs/Kolibri.md, Log types).
/// </summary>
public sealed class LogReader(KolibriDatabase database)
{
    /// <summary>How many rows <see cref="ReadRecords"/> will return for this query (for progress estimates).</summary>
    public long Count(Facility facility, LogQuery query)
    {
        using var command = database.Command("");
        command.CommandText = "SELECT COUNT(*) FROM " + query.Table + " s WHERE " + Where(command, facility, query);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The raw rows. The same <see cref="LogRecord"/> instance is returned for every row and overwritten by the next:
    /// copy what must outlive the iteration. With <paramref name="csvColumnsOnly"/> the log id and dataset id, which
    /// the CSV does not show, are not read (each text column read costs a string per row).
    /// </summary>
    public IEnumerable<LogRecord> ReadRecords(Facility facility, LogQuery query, bool csvColumnsOnly = false, CancellationToken cancellation = default)
    {
        var summary = query.Type == LogType.Summary;
        using var command = database.Command("");
        var where = Where(command, facility, query);
        // No ORDER BY on SQLite, as in Kolibri: +s.dataset_id keeps SQLite off the dataset index, so it reads the table
        // in rowid order, which is the order Kolibri's query returns within one dataset, and faster than the index.
        // PostgreSQL may choose an index or a parallel scan, so its table order is asked for (ctid).
        command.CommandText = $"""
            SELECT {(csvColumnsOnly ? "NULL" : "s.id")}, s.user_id, s.channel_id, s.content_id, s.start_timestamp, s.end_timestamp,
                   {(summary ? "s.completion_timestamp" : "NULL")}, s.time_spent, s.progress, s.kind, {(csvColumnsOnly ? "NULL" : "s.dataset_id")}
            FROM {query.Table} s
            WHERE {where}{(database.Engine == DatabaseEngine.PostgreSql ? " ORDER BY " + database.Dialect.RowOrder("s") : "")}
            """;
        using var lookup = new ContentLookup(database);
        using var reader = command.ExecuteReader();
        var record = new LogRecord();
        while (reader.Read())
        {
            cancellation.ThrowIfCancellationRequested();
            record.Id = reader.IsDBNull(0) ? "" : reader.GetString(0);
            record.UserId = reader.IsDBNull(1) ? null : reader.GetString(1);
            (record.Username, record.FacilityName) = lookup.User(record.UserId);
            record.ChannelId = reader.IsDBNull(2) ? "" : reader.GetString(2);
            record.ContentId = reader.GetString(3);
            record.StartTimestamp = reader.GetString(4);
            record.EndTimestamp = reader.IsDBNull(5) ? null : reader.GetString(5);
            record.CompletionTimestamp = reader.IsDBNull(6) ? null : reader.GetString(6);
            record.TimeSpent = reader.GetDouble(7);
            record.Progress = reader.GetDouble(8);
            record.Kind = reader.GetString(9);
            record.DatasetId = reader.IsDBNull(10) ? "" : reader.GetString(10);
            record.ChannelName = lookup.ChannelName(record.ChannelId);
            record.ContentTitle = lookup.ContentTitle(record.ContentId);
            yield return record;
        }
    }

    /// <summary>Typed logs (<see cref="SessionLog"/> or <see cref="SummaryLog"/>) for pipeline analysis.</summary>
    public IEnumerable<ContentLog> Read(Facility facility, LogQuery query, CancellationToken cancellation = default)
    {
        foreach (var record in ReadRecords(facility, query, cancellation: cancellation))
        {
            yield return query.Type == LogType.Summary ? ToSummary(record) : ToSession(record);
        }
    }

    /// <summary>The UTC day of the facility's earliest non-quiz session log (Kolibri's "first log date"), if any.</summary>
    public DateOnly? FirstLogDate(Facility facility)
    {
        using var command = database.Command(
            "SELECT MIN(start_timestamp) FROM logger_contentsessionlog WHERE " + database.Dialect.Unindexed("dataset_id") + " = $dataset AND kind <> 'quiz'");
        command.Parameters.AddWithValue("$dataset", facility.DatasetId);
        return command.ExecuteScalar() is string first && first.Length >= 10
            && DateOnly.TryParseExact(first[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
            ? day
            : null;
    }

    private SessionLog ToSession(LogRecord r) => new()
    {
        Id = r.Id, UserId = r.UserId, Username = r.Username, Facility = r.FacilityName, ChannelId = r.ChannelId, ChannelName = r.ChannelName,
        ContentId = r.ContentId, ContentTitle = r.ContentTitle, StartTime = KolibriTimestamp.Parse(r.StartTimestamp) ?? default,
        EndTime = KolibriTimestamp.Parse(r.EndTimestamp), TimeSpent = Seconds(r.TimeSpent), TimeSpentSeconds = r.TimeSpent,
        Progress = r.Progress, ContentKind = r.Kind, DatasetId = r.DatasetId, Database = database.Path,
    };

    private SummaryLog ToSummary(LogRecord r) => new()
    {
        Id = r.Id, UserId = r.UserId, Username = r.Username, Facility = r.FacilityName, ChannelId = r.ChannelId, ChannelName = r.ChannelName,
        ContentId = r.ContentId, ContentTitle = r.ContentTitle, StartTime = KolibriTimestamp.Parse(r.StartTimestamp) ?? default,
        EndTime = KolibriTimestamp.Parse(r.EndTimestamp), CompletionTime = KolibriTimestamp.Parse(r.CompletionTimestamp),
        TimeSpent = Seconds(r.TimeSpent), TimeSpentSeconds = r.TimeSpent, Progress = r.Progress, ContentKind = r.Kind,
        DatasetId = r.DatasetId, Database = database.Path,
    };

    private static TimeSpan Seconds(double seconds) =>
        double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds
            ? TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond))
            : TimeSpan.Zero;

    private string Where(DbCommand command, Facility facility, LogQuery query)
    {
        var where = new StringBuilder(database.Dialect.Unindexed("s.dataset_id")).Append(" = $dataset AND s.kind <> 'quiz'");
        command.Parameters.AddWithValue("$dataset", facility.DatasetId);
        if (query.StartBound is { } start)
        {
            where.Append(" AND s.start_timestamp >= $start");
            command.Parameters.AddWithValue("$start", start);
        }

        if (query.EndBound is { } end)
        {
            where.Append(" AND s.start_timestamp < $end");
            command.Parameters.AddWithValue("$end", end);
        }

        if (query.UserIds is { } users)
        {
            where.Append(" AND s.user_id IN (").Append(SqlParameters.InList(command, "u", users)).Append(')');
        }

        if (query.ClassIds is { } classes)
        {
            where.Append(" AND s.user_id IN (SELECT m.user_id FROM kolibriauth_membership m WHERE m.collection_id IN (")
                 .Append(SqlParameters.InList(command, "c", classes)).Append("))");
        }

        return where.ToString();
    }
}
