using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>Files that are wrong on purpose or by accident: secrets, sizes, floods, truncation (issue 16).</summary>
public sealed class HostileInputTests : IDisposable
{
    private const string Secret = "Hunter2-Secret";
    private readonly TempFolder folder = new();
    private readonly string fixture;

    public HostileInputTests()
    {
        fixture = folder.CopyFixtureDatabase();
    }

    public void Dispose() => folder.Dispose();

    private string WriteFile(string name, string text)
    {
        var path = folder.File(name);
        System.IO.File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private ImportPlan Plan(string csvPath, ImportOptions? options = null, string? dbPath = null)
    {
        using var db = KolibriDatabase.OpenRead(dbPath ?? fixture);
        var facility = db.DefaultFacility();
        return new ImportPlanner(db).Plan(facility, UsersCsvReader.Read(csvPath), options ?? new ImportOptions());
    }

    [Fact]
    public void No_password_reaches_errors_refusals_or_the_saved_plan_only_the_rejected_rows_file()
    {
        var path = WriteFile("secrets.csv", File(MachineHeader,
            $"rowx,{Secret}1,Row X,LEARNER,extra",                                     // too many fields (the row)
            $",rowy,{Secret}2,Row, Y,LEARNER,,,,,",                                     // an unquoted comma in the name
            $",rowz,{Secret}3",                                                         // too few fields
            Row("rowlong", ("PASSWORD", Secret + "4" + new string('p', 200)))));        // too long
        var plan = Plan(path, new ImportOptions { NoDelete = true });
        Assert.Equal(4, plan.Errors.Count);

        var everywhere = string.Join("\n", plan.Errors.Select(e => e.ToString()))
            + plan.RefusalReason + plan.ToJson() + string.Join("\n", plan.Warnings);
        Assert.DoesNotContain(Secret, everywhere, StringComparison.Ordinal);
        Assert.Contains("***", plan.Errors[0].Value, StringComparison.Ordinal);

        using var file = new MemoryStream();
        var doc = UsersCsvReader.Read(path);
        Assert.Equal(4, RejectedRowsCsvWriter.Write(file, doc, plan));
        var text = Encoding.UTF8.GetString(file.ToArray());
        foreach (var i in new[] { 1, 2, 3, 4 })
        {
            Assert.Contains(Secret + i, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Broken_quoting_quotes_the_line_with_the_password_masked_and_not_the_rest_of_the_file()
    {
        var doc = UsersCsvReader.Read(WriteFile("quote.csv", File(MachineHeader,
            $",anna,{Secret}1,\"Anna Lee,LEARNER,,,,,",
            $",ben,{Secret}2,Ben,LEARNER,,,,,")));
        var error = Assert.Single(doc.Errors, e => e.ErrorId == ImportErrorIds.MalformedCsv);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        // The broken line splits into 4 fields for 10 columns: the password may be any of the first three.
        Assert.StartsWith("***,***,***,\"Anna Lee", error.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("ben", error.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_size_limit_is_refused_without_being_read_into_memory()
    {
        var path = folder.File("huge.csv");
        using (var stream = System.IO.File.Create(path))
        {
            stream.Write(Encoding.UTF8.GetBytes(MachineHeader + "\r\n"));
            stream.SetLength(UsersCsvLimits.MaxFileBytes + 1); // sparse: costs no disk
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var doc = UsersCsvReader.Read(path);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.FileTooLarge, error.ErrorId);
        Assert.Contains("67,108,865 bytes", error.Message, StringComparison.Ordinal);
        Assert.True(allocated < 8 << 20, $"reading allocated {allocated:N0} bytes");
        Assert.Empty(doc.Rows);
    }

    [Fact]
    public void A_named_pipe_is_NotARegularFile_and_is_never_opened()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // the file type is read with statx(2)
        }

        var fifo = folder.File("users.csv");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [fifo]))
        {
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Opening a FIFO with no writer blocks: reaching the assertions at all shows it was not opened.
        var error = Assert.Single(UsersCsvReader.Read(fifo).Errors);
        Assert.Equal(ImportErrorIds.NotARegularFile, error.ErrorId);
        Assert.Equal("a named pipe", error.Value);
        Assert.Contains($"'{fifo}' is a named pipe, not a regular file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_is_NotARegularFile_and_an_empty_regular_file_stays_FileEmpty()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var device = Assert.Single(UsersCsvReader.Read("/dev/zero").Errors);
        Assert.Equal(ImportErrorIds.NotARegularFile, device.ErrorId);
        Assert.Equal("a character device", device.Value);
        Assert.Contains("'/dev/zero' is a character device", device.Message, StringComparison.Ordinal);

        var empty = Assert.Single(UsersCsvReader.Read(WriteFile("empty.csv", "")).Errors);
        Assert.Equal(ImportErrorIds.FileEmpty, empty.ErrorId);
    }

    [Fact]
    public void A_stream_over_the_size_limit_is_refused_after_reading_just_past_the_limit()
    {
        var doc = UsersCsvReader.Read(new EndlessZeros());
        Assert.Equal(ImportErrorIds.FileTooLarge, Assert.Single(doc.Errors).ErrorId);
    }

    [Fact]
    public void More_data_rows_than_the_limit_stop_the_reading_with_TooManyRows()
    {
        var text = new StringBuilder(MachineHeader).Append("\r\n");
        for (var i = 0; i <= UsersCsvLimits.MaxDataRows; i++) text.Append("x\r\n");
        var doc = Read(text.ToString());
        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.TooManyRows, error.ErrorId);
        Assert.Equal(UsersCsvLimits.MaxDataRows + 2, error.Line);
        Assert.Empty(doc.Rejected);
    }

    [Fact]
    public void A_huge_cell_is_ValueTooLong_and_every_quoted_value_is_cut()
    {
        var doc = Read(File(MachineHeader,
            Row("big", ("FULL_NAME", new string('x', 500_000))), // a long value on a line under UsersCsvLimits.MaxLineBytes
            Row(new string('u', 5000)),
            Row("pw", ("PASSWORD", new string('s', 20_000)))));
        var big = Assert.Single(doc.Rejected[0].Errors);
        Assert.Equal(ImportErrorIds.ValueTooLong, big.ErrorId);
        Assert.Equal(UsersCsvLimits.MaxValueShown + 3, big.Value!.Length);
        Assert.True(doc.Errors.All(e => e.ToString().Length < 1_000), string.Join("\n", doc.Errors.Select(e => e.ToString().Length)));
        var password = Assert.Single(doc.Rejected[2].Errors);
        Assert.Equal("(20,000 characters, not shown)", password.Value);
    }

    [Fact]
    public void The_error_sample_shows_the_first_errors_of_each_rule_and_counts_the_rest()
    {
        var errors = Enumerable.Range(1, 50).Select(i => new ImportError { Row = i, ErrorId = i % 2 == 0 ? "A" : "B", Message = "m" })
            .Append(new ImportError { Row = 51, ErrorId = "C", Message = "m" }).ToList();
        var sample = ImportErrorSample.Of(errors, 20);
        Assert.Equal(41, sample.Shown.Count);
        Assert.Equal([new("B", 5), new("A", 5)], sample.LeftOut);
        Assert.Equal(errors.Take(40).Select(e => e.Row).Append(51), sample.Shown.Select(e => e.Row));
    }

    [Fact]
    public void A_header_only_file_is_refused_as_truncated_even_with_force()
    {
        var path = WriteFile("header.csv", MachineHeader + "\r\n");
        var plan = Plan(path, new ImportOptions { Force = true });
        Assert.NotNull(plan.SuspectedTruncation);
        Assert.True(plan.IsRefusedAsTruncated);
        Assert.Contains("no data rows", plan.RefusalReason, StringComparison.Ordinal);
        Assert.True(plan.Refusal.HasFlag(ImportRefusal.LooksTruncated));
        Assert.DoesNotContain("-FileIsComplete", plan.RefusalReason, StringComparison.Ordinal); // Core says why, the cmdlets say what to do
        Assert.False(Plan(path, new ImportOptions { Force = true, FileIsComplete = true }).IsRefused);
        Assert.Null(Plan(path, new ImportOptions { NoDelete = true }).SuspectedTruncation);
    }

    [Fact]
    public void A_last_line_without_its_line_break_or_a_file_missing_most_users_is_suspect_when_it_deletes()
    {
        var dbPath = folder.CopyFixtureDatabase("own.sqlite3");
        string[] lines;
        using (var db = KolibriDatabase.OpenRead(dbPath))
        {
            var facility = db.DefaultFacility();
            using var text = new StringWriter();
            new UsersCsvExporter().Write(text, new UserReader(db).Read(facility));
            lines = text.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        }

        // Cut exactly at a line boundary but without the last line break: 1 user missing.
        var cut = WriteFile("cut.csv", string.Join("\r\n", lines[..^1]));
        var plan = Plan(cut, dbPath: dbPath);
        Assert.Equal(1, plan.Summary.UsersDeleted);
        Assert.Contains("last line has no line break", plan.SuspectedTruncation, StringComparison.Ordinal);
        Assert.True(plan.IsRefused);

        // Cut exactly after a line break: the one user deleted is the export's last one.
        var atBoundary = Plan(WriteFile("boundary.csv", string.Join("\r\n", lines[..^1]) + "\r\n"), dbPath: dbPath);
        Assert.Equal(1, atBoundary.Summary.UsersDeleted);
        Assert.Contains("comes after its last row", atBoundary.SuspectedTruncation, StringComparison.Ordinal);
        Assert.True(atBoundary.IsRefused);

        // One user left out of the middle instead: an ordinary deletion.
        var middle = Plan(WriteFile("middle.csv", string.Join("\r\n", lines.Where((_, i) => i != 5)) + "\r\n"), dbPath: dbPath);
        Assert.Equal(1, middle.Summary.UsersDeleted);
        Assert.Null(middle.SuspectedTruncation);
        Assert.False(middle.IsRefused);

        // Half of the file gone: refused even with -Force.
        var half = Plan(WriteFile("half.csv", string.Join("\r\n", lines[..20]) + "\r\n"), new ImportOptions { Force = true }, dbPath);
        Assert.True(half.Summary.UsersDeleted > 20);
        Assert.Contains("more than half", half.SuspectedTruncation, StringComparison.Ordinal);
        Assert.True(half.IsRefused);
    }

    [Fact]
    public void Rows_the_planner_refuses_and_rows_whose_user_is_protected_go_to_the_rejected_rows_file()
    {
        var dbPath = folder.CopyFixtureDatabase("own.sqlite3");
        string learner05;
        using (var db = KolibriDatabase.OpenRead(dbPath))
        {
            var facility = db.DefaultFacility();
            learner05 = new UserReader(db).Read(facility).Single(u => u.Username == "learner05").Id;
        }

        var path = WriteFile("planner.csv", File(MachineHeader,
            Row("brand_new", ("PASSWORD", "*")),                                   // NewUserNeedsPassword
            Row("learner06", ("UUID", learner05), ("PASSWORD", "*")),             // UsernameTaken (renaming learner05)
            Row("learner07", ("PASSWORD", "*")),                                  // valid, but row 4 protects the user
            Row("learner07", ("PASSWORD", "*"), ("USER_TYPE", "ROBOT")),          // invalid
            Row("fine_user", ("PASSWORD", "x1"))));
        var plan = Plan(path, new ImportOptions { SkipInvalidRows = true, NoDelete = true }, dbPath);
        var skipped = plan.SkippedRows();
        Assert.Equal([1, 2, 3, 4], skipped.Keys.Order());

        using var writer = new StringWriter();
        Assert.Equal(4, RejectedRowsCsvWriter.Write(writer, UsersCsvReader.Read(path), plan));
        var lines = writer.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith(",brand_new,*,", lines[1], StringComparison.Ordinal);
        Assert.Contains("needs a password", lines[1], StringComparison.Ordinal);
        Assert.StartsWith(learner05 + ",learner06,*,", lines[2], StringComparison.Ordinal);
        Assert.Contains("cannot be renamed", lines[2], StringComparison.Ordinal);
        Assert.Contains("also has an invalid row", lines[3], StringComparison.Ordinal);
        Assert.Contains("ROBOT", lines[4], StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_stored_with_the_formula_guard_reimports_from_the_export_without_a_change()
    {
        var dbPath = folder.CopyFixtureDatabase("own.sqlite3");
        using (var connection = new SqliteConnection($"Data Source={dbPath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE kolibriauth_facilityuser SET id_number = '''=SUM(A1)', full_name = '''+Plus Name' WHERE username = 'learner05'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        string export;
        using (var db = KolibriDatabase.OpenRead(dbPath))
        {
            var facility = db.DefaultFacility();
            using var text = new StringWriter();
            new UsersCsvExporter { IncludeAdmins = true }.Write(text, new UserReader(db).Read(facility));
            export = text.ToString();
        }

        Assert.Contains(",'=SUM(A1),", export, StringComparison.Ordinal);
        var plan = Plan(WriteFile("export.csv", export), dbPath: dbPath);
        Assert.True(plan.IsEmpty, string.Join("\n", plan.Changes));
    }

    /// <summary>Like /dev/zero: never ends.</summary>
    private sealed class EndlessZeros : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) { Array.Clear(buffer, offset, count); return count; }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
