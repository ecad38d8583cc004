using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Logs;

public sealed class SandboxLogsTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Sample_logs_come_with_channels_content_and_matching_summaries_with_kolibris_ids()
    {
        var result = SandboxDatabase.Create(folder.File("db.sqlite3"), new SandboxOptions { SampleUsers = 60, SampleLogs = 3000, Seed = 7 });
        Assert.Equal(3000, result.SessionLogs);
        using var database = KolibriDatabase.OpenRead(result.Path);
        var facility = database.DefaultFacility();
        var reader = new LogReader(database);
        var sessions = reader.Read(facility, new LogQuery()).ToList();
        var summaries = reader.Read(facility, new LogQuery { Type = LogType.Summary }).Cast<SummaryLog>().ToList();
        Assert.Equal(3000, sessions.Count);
        Assert.Equal(result.SummaryLogs, summaries.Count);
        Assert.InRange(summaries.Count, 100, 3000);

        // Names resolve, and the summary is the aggregate of its sessions.
        Assert.All(sessions, s => Assert.NotEqual("", s.ContentTitle));
        Assert.All(sessions, s => Assert.NotEqual("", s.ChannelName));
        Assert.All(sessions, s => Assert.True(s.EndTime >= s.StartTime));
        var summary = summaries[0];
        var own = sessions.Where(s => s.UserId == summary.UserId && s.ContentId == summary.ContentId).ToList();
        Assert.Equal(own.Sum(s => s.TimeSpentSeconds), summary.TimeSpentSeconds, 6);
        Assert.Equal(own.Min(s => s.StartTime), summary.StartTime);
        Assert.Equal(summary.Progress >= 1.0, summary.CompletionTime is not null);

        using var command = database.Command("SELECT id, _morango_source_id, _morango_partition, user_id, content_id FROM logger_contentsummarylog");
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            var expected = MorangoId.ForContentSummaryLog(result.DatasetId, rows.GetString(3), rows.GetString(4));
            Assert.Equal(expected.Id, rows.GetString(0));
            Assert.Equal(rows.GetString(4), rows.GetString(1));
            Assert.Equal(expected.Partition, rows.GetString(2));
        }

        using var sessionCommand = database.Command("SELECT id, _morango_source_id, _morango_partition, user_id FROM logger_contentsessionlog LIMIT 50");
        using var sessionRows = sessionCommand.ExecuteReader();
        while (sessionRows.Read())
        {
            var expected = MorangoId.ForContentSessionLog(result.DatasetId, sessionRows.GetString(3), sessionRows.GetString(1));
            Assert.Equal(expected.Id, sessionRows.GetString(0));
            Assert.Equal(expected.Partition, sessionRows.GetString(2));
        }
    }

    [Fact]
    public void Sample_logs_without_sample_users_are_a_clear_error()
    {
        var error = Assert.Throws<ArgumentException>(() => SandboxDatabase.Create(folder.File("db.sqlite3"), new SandboxOptions { SampleLogs = 10 }));
        Assert.Contains("need sample users", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(folder.File("db.sqlite3")));
    }
}
