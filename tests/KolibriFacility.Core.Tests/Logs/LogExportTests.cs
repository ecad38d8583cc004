using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Logs;

public sealed class LogExportTests : IDisposable
{
    private readonly TempFolder folder = new();
    private readonly string db;

    public LogExportTests()
    {
        db = folder.CopyFixtureDatabase();
    }

    public void Dispose() => folder.Dispose();

    private byte[] Export(LogQuery query, string? path = null)
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        using var stream = new MemoryStream();
        LogsCsvExporter.Write(stream, CsvEncodings.KolibriDefault, query.Type, new LogReader(database).ReadRecords(facility, query, csvColumnsOnly: true));
        return stream.ToArray();
    }

    private void Sql(string sql)
    {
        using var database = KolibriDatabase.OpenWrite(db);
        using var command = database.Command(sql);
        command.ExecuteNonQuery();
    }

    private List<string> Lines(LogQuery query) =>
        Encoding.UTF8.GetString(Export(query)).TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).ToList();

    [Fact]
    public void Session_logs_equal_Kolibris_file_byte_for_byte() =>
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("logs-session.csv")), Export(new LogQuery { Type = LogType.Session }));

    [Fact]
    public void Summary_logs_equal_Kolibris_file_byte_for_byte() =>
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("logs-summary.csv")), Export(new LogQuery { Type = LogType.Summary }));

    [Fact]
    public void A_date_range_equals_Kolibris_file_byte_for_byte() =>
        Assert.Equal(
            File.ReadAllBytes(TestPaths.Fixture("logs-session-2026-11-10_2026-11-15.csv")),
            Export(new LogQuery { StartDate = new DateOnly(2026, 11, 10), EndDate = new DateOnly(2026, 11, 15) }));

    [Fact]
    public void Detail_is_the_same_log_as_Session() =>
        Assert.Equal(Export(new LogQuery { Type = LogType.Session }), Export(new LogQuery { Type = LogType.Detail }));

    [Fact]
    public void Quiz_logs_are_left_out_and_counted_out()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var reader = new LogReader(database);
        Assert.Equal(3567, reader.Count(facility, new LogQuery()));
        Assert.DoesNotContain(reader.ReadRecords(facility, new LogQuery()), r => r.Kind == "quiz");
        Assert.Equal(744, reader.Read(facility, new LogQuery { Type = LogType.Summary }).Count());
    }

    [Fact]
    public void Date_edges_are_UTC_days_with_the_end_day_included_up_to_the_next_midnight()
    {
        // One log per edge: the first and last microsecond of the range, the midnight after it, the microsecond before it,
        // and a value stored with a zone east of UTC that is 2026-11-16 locally but still 2026-11-15 in UTC.
        Sql("""
            UPDATE logger_contentsessionlog SET start_timestamp = CASE rowid
                WHEN 1 THEN '2026-11-10 00:00:00.000000(UTC)'
                WHEN 2 THEN '2026-11-15 23:59:59.999999(UTC)'
                WHEN 3 THEN '2026-11-16 00:00:00.000000(UTC)'
                WHEN 4 THEN '2026-11-09 23:59:59.999999(UTC)'
                WHEN 5 THEN '2026-11-15 22:30:00.000000(Africa/Nairobi)'
                WHEN 6 THEN '2026-11-09 23:30:00.000000(America/New_York)'
                ELSE '2020-01-01 00:00:00.000000(UTC)' END
            """);
        var lines = Lines(new LogQuery { StartDate = new DateOnly(2026, 11, 10), EndDate = new DateOnly(2026, 11, 15) });
        Assert.Equal(3, lines.Count);
        Assert.Contains(",2026-11-10 00:00:00+00:00,", lines[0]);
        Assert.Contains(",2026-11-15 23:59:59.999999+00:00,", lines[1]);
        // Shown in the stored zone, as Python prints it: 22:30 UTC is 01:30 the next day in Nairobi.
        Assert.Contains(",2026-11-16 01:30:00+03:00,", lines[2]);
        var before = Lines(new LogQuery { EndDate = new DateOnly(2026, 11, 9) });
        Assert.Contains(before, l => l.Contains(",2026-11-09 18:30:00-05:00,", StringComparison.Ordinal));
        Assert.Single(Lines(new LogQuery { StartDate = new DateOnly(2026, 11, 16) }));
    }

    [Fact]
    public void Missing_channel_and_content_metadata_give_empty_cells()
    {
        Sql("DELETE FROM content_channelmetadata WHERE id = '5fb94f3af31c5fa187942747d2f5d4ad'; DELETE FROM content_contentnode WHERE content_id = 'c982618d16e35c52b4ff234859819998'");
        var first = Lines(new LogQuery())[0];
        Assert.StartsWith("Demo Facility,learner06,5fb94f3af31c5fa187942747d2f5d4ad,,c982618d16e35c52b4ff234859819998,,2026-11-22 22:45:17.032516+00:00,", first);
    }

    [Fact]
    public void Anonymous_logs_have_empty_facility_and_username()
    {
        Sql("UPDATE logger_contentsessionlog SET user_id = NULL WHERE rowid = 1");
        Assert.StartsWith(",,5fb94f3af31c5fa187942747d2f5d4ad,Demo Science Channel,", Lines(new LogQuery())[0]);
    }

    [Fact]
    public void Only_the_facilitys_dataset_is_exported_when_the_database_holds_two_facilities()
    {
        // A second facility's logs: same table, another dataset.
        Sql("""
            INSERT INTO kolibriauth_facilitydataset SELECT 'ffffffffffffffffffffffffffffffff', _morango_dirty_bit, _morango_source_id, _morango_partition, description, location,
                learner_can_edit_username, learner_can_edit_name, learner_can_edit_password, learner_can_sign_up, learner_can_delete_account,
                learner_can_login_with_no_password, preset, show_download_button_in_learn, registered, extra_fields FROM kolibriauth_facilitydataset;
            INSERT INTO kolibriauth_collection VALUES ('eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee', 1, 'x', 'ffffffffffffffffffffffffffffffff:allusers-ro', 'North School', 'facility', 'ffffffffffffffffffffffffffffffff', NULL);
            UPDATE logger_contentsessionlog SET dataset_id = 'ffffffffffffffffffffffffffffffff' WHERE rowid <= 100;
            """);
        using var database = KolibriDatabase.OpenRead(db);
        var directory = new FacilityDirectory(database);
        var reader = new LogReader(database);
        Assert.Equal(3467, reader.Count(directory.Resolve("Demo Facility"), new LogQuery()));
        Assert.Equal(100, reader.ReadRecords(directory.Resolve("North School"), new LogQuery()).Count());
    }

    [Fact]
    public void User_and_class_filters_narrow_the_rows()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var reader = new LogReader(database);
        var learner = reader.Read(facility, new LogQuery()).First();
        var own = reader.Read(facility, new LogQuery { UserIds = [learner.UserId!] }).ToList();
        Assert.NotEmpty(own);
        Assert.All(own, l => Assert.Equal(learner.Username, l.Username));

        var classes = new FacilityDirectory(database).GetClasses(facility).ToList();
        var byClass = reader.Read(facility, new LogQuery { ClassIds = [classes[0].Id] }).Select(l => l.Username).Distinct().ToList();
        Assert.NotEmpty(byClass);
        Assert.True(byClass.Count <= classes[0].LearnerCount);
    }

    [Fact]
    public void Typed_logs_carry_real_times_and_numbers()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var summary = (SummaryLog)new LogReader(database).Read(facility, new LogQuery { Type = LogType.Summary }).Skip(1).First();
        Assert.Equal("Biology html5 5", summary.ContentTitle);
        Assert.Equal(new DateTimeOffset(2026, 11, 20, 22, 45, 17, TimeSpan.Zero).AddTicks(325250), summary.CompletionTime);
        Assert.Equal(1.0, summary.Progress);
        Assert.Equal(280.9063633828357, summary.TimeSpentSeconds);
        Assert.Equal(TimeSpan.FromTicks(2809063634), summary.TimeSpent);
        Assert.Equal("html5", summary.ContentKind);
        Assert.Equal("Demo Facility", summary.Facility);
    }

    [Fact]
    public void Cancelling_stops_the_write_and_leaves_no_file()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var target = folder.File("logs.csv");
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => SafeFileWriter.Write(target, ExistingFile.Overwrite, stream =>
            LogsCsvExporter.Write(stream, CsvEncodings.KolibriDefault, LogType.Session, new LogReader(database).ReadRecords(facility, new LogQuery(), cancellation: cancel.Token),
                n => { if (n == 500) cancel.Cancel(); }, cancel.Token)));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.csv*"));
        Assert.Empty(Directory.GetFiles(folder.Path, ".*"));
    }

    [Fact]
    public void A_failed_write_keeps_the_old_file_and_leaves_no_temporary_file()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var target = folder.File("logs.csv");
        File.WriteAllText(target, "previous export");

        IEnumerable<LogRecord> FailingAfter(int rows)
        {
            var n = 0;
            foreach (var record in new LogReader(database).ReadRecords(facility, new LogQuery()))
            {
                if (++n > rows)
                {
                    throw new IOException("No space left on device");
                }

                yield return record;
            }
        }

        Assert.Throws<IOException>(() => SafeFileWriter.Write(target, ExistingFile.Overwrite, stream =>
            LogsCsvExporter.Write(stream, CsvEncodings.KolibriDefault, LogType.Session, FailingAfter(1000))));
        Assert.Equal("previous export", File.ReadAllText(target));
        Assert.Equal([target], Directory.GetFiles(folder.Path, "*.csv*").Concat(Directory.GetFiles(folder.Path, ".*")));
    }

    [Fact]
    public void The_first_log_date_and_Kolibris_default_file_name()
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var first = new LogReader(database).FirstLogDate(facility);
        Assert.Equal(new DateOnly(2026, 10, 30), first);
        Assert.Equal("Demo Facility_9c9a_content_summary_logs_from_2026-10-30_to_2026-11-22.csv",
            LogsCsvFormat.DefaultFileName(facility.Name, facility.Id, LogType.Summary, first!.Value, new DateOnly(2026, 11, 22)));
    }
}
