using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// The reader streams the file (issue 16, point 8): text decoded chunk by chunk, rows keeping only their place in the
/// file, the rejected-rows file copying them from there again, and a LineTooLong limit.
/// </summary>
public sealed class UsersCsvStreamingTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    // The raw cells of each row, by column; rows 2, 4 and 5 break a CSV rule, row 1 the planner's (a new user with
    // the keep-password star), rows 3 and 6 are valid.
    private static readonly Dictionary<string, string>[] Rows =
    [
        Cells(",newkid,*,New Kid,LEARNER,,2010,,,"),
        Cells(",bad1,\"Sé,cret \"\"1\"\"\",\"Multi\nLine Name\",LEARNER,,abc,,\"Class A,Class B\","),
        Cells(",good2,pw2,Zoë Ünicode 😀,LEARNER,,2001,,,"),
        Cells(",bad2,pw3,😀 Emoji,ROBOT,,,,,"),
        Cells(",short,pw4"),
        Cells(",good3,pw5,\"Quoted, \"\"Name\"\"\",FACILITY_COACH,,,,,"),
    ];

    private static readonly string[] Lines =
    [
        ",newkid,*,New Kid,LEARNER,,2010,,,",
        ",bad1,\"Sé,cret \"\"1\"\"\",\"Multi\nLine Name\",LEARNER,,abc,,\"Class A,Class B\",",
        ",good2,pw2,Zoë Ünicode 😀,LEARNER,,2001,,,",
        ",bad2,pw3,😀 Emoji,ROBOT,,,,,",
        ",short,pw4",
        ",good3,pw5,\"Quoted, \"\"Name\"\"\",FACILITY_COACH,,,,,",
    ];

    private static Dictionary<string, string> Cells(string line)
    {
        var fields = new List<string>();
        using var csv = CsvHelper.CsvReader.FromText(line, new CsvHelper.CsvReaderOptions { HasHeader = false, Mode = CsvHelper.CsvMode.Rfc4180, AllowLineBreaksInQuotes = true });
        csv.Read();
        for (var i = 0; i < csv.FieldCount; i++)
        {
            fields.Add(csv.GetString(i));
        }

        return Columns.Zip(fields).ToDictionary(p => p.First, p => p.Second);
    }

    public static TheoryData<string, string, string> Variants => new()
    {
        { "utf-8 with BOM, CRLF", "utf8BOM", "\r\n" },
        { "utf-8 without BOM, LF", "utf8NoBOM", "\n" },
        { "utf-8 without BOM, CRLF", "utf8NoBOM", "\r\n" },
        { "utf-16 LE with BOM, CRLF", "unicode", "\r\n" },
        { "utf-16 BE with BOM, LF", "bigendianunicode", "\n" },
    };

    private static Encoding EncodingOf(string name) => name switch
    {
        "utf8BOM" => new UTF8Encoding(true),
        "utf8NoBOM" => new UTF8Encoding(false),
        "unicode" => new UnicodeEncoding(false, true),
        _ => new UnicodeEncoding(true, true),
    };

    private string WriteVariant(string encoding, string lineBreak, string? name = null)
    {
        var path = folder.File(name ?? "users.csv");
        var text = string.Join(lineBreak, [MachineHeader, .. Lines]) + lineBreak;
        System.IO.File.WriteAllBytes(path, Encode(text, EncodingOf(encoding)));
        return path;
    }

    /// <summary>The rejected-rows file as the in-memory path writes it: every row with its raw cells, nothing read from a file.</summary>
    private static string Expected(UsersCsvDocument doc, ImportPlan plan)
    {
        var inMemory = new UsersCsvDocument
        {
            Sha256 = doc.Sha256,
            Columns = doc.Columns,
            Headers = doc.Headers,
            Rows = [.. doc.Rows.Select(r => r with { Source = null })],
            Rejected = [.. doc.Rejected.Select(r => r with { Cells = Rows[r.Row - 1], Source = null, ClassNames = null })],
            Errors = doc.Errors,
        };
        var writer = new StringWriter();
        RejectedRowsCsvWriter.Write(writer, inMemory, plan);
        return writer.ToString();
    }

    private ImportPlan Plan(UsersCsvDocument doc)
    {
        using var db = KolibriDatabase.OpenRead(folder.CopyFixtureDatabase());
        return new ImportPlanner(db).Plan(db.DefaultFacility(), doc, new ImportOptions { NoDelete = true, SkipInvalidRows = true });
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Rejected_rows_are_read_again_from_the_file_by_position_in_every_encoding_and_line_ending(string what, string encoding, string lineBreak)
    {
        var path = WriteVariant(encoding, lineBreak);
        var doc = UsersCsvReader.Read(path);
        Assert.Equal(encoding, doc.Encoding);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(path))).ToLowerInvariant(), doc.Sha256);
        Assert.Equal([1, 3, 6], doc.Rows.Select(r => r.Row));
        Assert.Equal([2, 4, 5], doc.Rejected.Select(r => r.Row));
        Assert.Equal([2, 3, 5, 6, 7, 8], doc.Rows.Select(r => r.Line).Concat(doc.Rejected.Select(r => r.Line)).Order());

        // Kept in memory: the cells as they may be shown (no password) and the class names.
        Assert.Equal(ShownText.PasswordMask, doc.Rejected[0].Cells["PASSWORD"]);
        Assert.Equal(["Class A", "Class B"], doc.Rejected[0].ClassNames);
        Assert.Equal(["UUID", "USERNAME", "PASSWORD"], doc.Rejected[2].Cells.Keys); // a short row has only its cells
        Assert.All(doc.Rejected[2].Cells.Values, v => Assert.Equal(ShownText.PasswordMask, v)); // the password may have moved to any of them

        var plan = Plan(doc);
        Assert.Equal([1, 2, 4, 5], plan.SkippedRows().Keys.Order());
        var written = new StringWriter();
        Assert.Equal(4, RejectedRowsCsvWriter.Write(written, doc, plan));
        Assert.Equal(Expected(doc, plan), written.ToString());
        Assert.Contains("\"Sé,cret \"\"1\"\"\",\"Multi\nLine Name\"", written.ToString(), StringComparison.Ordinal);
        Assert.Contains(",newkid,*,New Kid,", written.ToString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(what));
    }

    [Fact]
    public void A_document_read_from_a_stream_writes_the_same_rejected_rows_as_from_the_file()
    {
        var path = WriteVariant("utf8BOM", "\r\n");
        var fromFile = UsersCsvReader.Read(path);
        var fromStream = Read(System.IO.File.ReadAllBytes(path));
        var plan = Plan(fromFile);
        var (a, b) = (new StringWriter(), new StringWriter());
        RejectedRowsCsvWriter.Write(a, fromFile, plan);
        RejectedRowsCsvWriter.Write(b, fromStream, plan);
        Assert.Equal(a.ToString(), b.ToString());
    }

    [Fact]
    public void A_file_changed_after_it_was_read_is_not_copied_into_the_rejected_rows_file()
    {
        var path = WriteVariant("utf8NoBOM", "\r\n");
        var doc = UsersCsvReader.Read(path);
        var bytes = System.IO.File.ReadAllBytes(path);
        bytes[^3] = (byte)'x'; // same length, one byte changed
        System.IO.File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<ImportConflictException>(() => RejectedRowsCsvWriter.Write(new StringWriter(), doc));
        Assert.Contains($"The file '{path}' changed since it was read", error.Message, StringComparison.Ordinal);
        Assert.Contains(doc.Sha256, error.Message, StringComparison.Ordinal);

        var target = folder.File("rejected.csv");
        Assert.Throws<ImportConflictException>(() => RejectedRowsCsvWriter.Write(target, doc));
        Assert.False(System.IO.File.Exists(target));
    }

    [Fact]
    public void A_line_longer_than_the_limit_stops_the_reading_with_LineTooLong_naming_the_row_and_the_limit()
    {
        var path = folder.File("long.csv");
        System.IO.File.WriteAllText(path, File(MachineHeader, Row("ok"), Row("long", ("FULL_NAME", new string('x', UsersCsvLimits.MaxLineBytes + 10))), Row("after")));
        var doc = UsersCsvReader.Read(path);
        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.LineTooLong, error.ErrorId);
        Assert.Equal(3, error.Line);
        Assert.StartsWith("Row 2 (line 3) is longer than 1,048,576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("the longest a users CSV line may be", error.Message, StringComparison.Ordinal);
        Assert.Empty(doc.Rows);
        Assert.Empty(doc.Rejected);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(System.IO.File.ReadAllBytes(path))).ToLowerInvariant(), doc.Sha256);
    }

    [Fact]
    public void A_quote_never_closed_before_a_megabyte_of_lines_is_LineTooLong_and_a_long_header_too()
    {
        var rows = Enumerable.Range(0, 40_000).Select(i => Row("user" + i)).ToArray();
        var path = folder.File("unclosed.csv");
        System.IO.File.WriteAllText(path, File([MachineHeader, ",anna,pw,\"Anna Lee,LEARNER,,,,,", .. rows]));
        var error = Assert.Single(UsersCsvReader.Read(path).Errors, e => e.ErrorId == ImportErrorIds.LineTooLong);
        Assert.StartsWith("Row 1 (line 2) is longer than 1,048,576 bytes", error.Message, StringComparison.Ordinal);
        Assert.Contains("A double quote that is never closed makes the rest of the file one line", error.Message, StringComparison.Ordinal);

        System.IO.File.WriteAllText(path, File(MachineHeader + "," + new string('N', UsersCsvLimits.MaxLineBytes), Row("ok")));
        var header = Assert.Single(UsersCsvReader.Read(path).Errors);
        Assert.Equal(ImportErrorIds.LineTooLong, header.ErrorId);
        Assert.StartsWith("The header (line 1) is longer than", header.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf8NoBOM")]
    [InlineData("unicode")]
    [InlineData("bigendianunicode")]
    public void Characters_across_the_decoder_s_chunk_boundaries_are_read_whole(string encoding)
    {
        // Multi-byte characters and surrogate pairs at every alignment, over several 64 KiB chunks.
        var names = Enumerable.Range(0, 3_000).Select(i => "Zoë 😀 Núñez " + new string('é', i % 7) + i).ToList();
        var path = folder.File("wide.csv");
        var text = File([MachineHeader, .. names.Select((n, i) => Row("u" + i, ("FULL_NAME", n)))]);
        System.IO.File.WriteAllBytes(path, Encode(text, EncodingOf(encoding)));
        var doc = UsersCsvReader.Read(path);
        Assert.Empty(doc.Errors);
        Assert.Equal(names, doc.Rows.Select(r => r.FullName));
        Assert.False(doc.LastLineUnterminated);
    }

    [Fact]
    public void An_encoding_error_far_into_the_file_names_its_byte_offset_and_line()
    {
        var head = Encoding.UTF8.GetBytes(File([MachineHeader, .. Enumerable.Range(0, 2_000).Select(i => Row("u" + i, ("FULL_NAME", "Zoë " + i)))]));
        var path = folder.File("latin1.csv");
        System.IO.File.WriteAllBytes(path, [.. head, .. Encoding.UTF8.GetBytes(",caf"), 0xE9, .. Encoding.UTF8.GetBytes(",pw,Cafe,LEARNER,,,,,\r\n")]);
        var error = Assert.Single(UsersCsvReader.Read(path).Errors);
        Assert.Equal(ImportErrorIds.EncodingInvalid, error.ErrorId);
        var offset = head.Length + 4;
        Assert.Equal(2_002, error.Line);
        Assert.Contains($"the byte 0xE9 at byte offset {offset} (line 2002)", error.Message, StringComparison.Ordinal);

        var utf16 = Encode(File([MachineHeader, .. Enumerable.Range(0, 2_000).Select(i => Row("u" + i))]), new UnicodeEncoding(false, true));
        System.IO.File.WriteAllBytes(path, [.. utf16, 0x00, 0xD8, 0x41, 0x00]); // a high surrogate followed by 'A'
        var broken = Assert.Single(UsersCsvReader.Read(path).Errors);
        Assert.Contains($"a broken surrogate pair at byte offset {utf16.Length} (line 2002)", broken.Message, StringComparison.Ordinal);

        System.IO.File.WriteAllBytes(path, [.. head, 0x00, .. Encoding.UTF8.GetBytes("x\r\n")]);
        var nul = Assert.Single(UsersCsvReader.Read(path).Errors);
        Assert.Contains($"a NUL byte at byte offset {head.Length} (line 2002)", nul.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Whitespace_only_and_cut_off_files_are_told_after_streaming()
    {
        var path = folder.File("blank.csv");
        System.IO.File.WriteAllText(path, new string(' ', 100_000) + "\r\n\r\n\t");
        Assert.Equal(ImportErrorIds.FileEmpty, Assert.Single(UsersCsvReader.Read(path).Errors).ErrorId);

        System.IO.File.WriteAllText(path, File(MachineHeader, Row("a")) + Row("b") + "  ");
        Assert.True(UsersCsvReader.Read(path).LastLineUnterminated);
        System.IO.File.WriteAllText(path, File(MachineHeader, Row("a")) + " \t");
        Assert.False(UsersCsvReader.Read(path).LastLineUnterminated);
    }

    /// <summary>A stream that returns a few bytes at a time, as a slow pipe or network share may.</summary>
    private sealed class Trickle(byte[] bytes) : MemoryStream(bytes)
    {
        private int turn;

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (turn++ % 3)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (turn++ % 3))]);
    }

    [Theory]
    [InlineData("utf8BOM")]
    [InlineData("utf8NoBOM")]
    [InlineData("unicode")]
    [InlineData("bigendianunicode")]
    public void The_decoder_gives_the_same_text_whatever_size_the_reads_are(string encoding)
    {
        var body = "USERNAME,FULL_NAME\r\n" + string.Concat(Enumerable.Range(0, 500).Select(i => $"u{i},Zoë 😀 Ñ {i}\r\n"));
        // With a byte order mark, one more is written into the text (some tools do): it is dropped too.
        var bytes = Encode(encoding == "utf8NoBOM" ? body : "\uFEFF" + body, EncodingOf(encoding));
        using var decoded = new CsvDecodingStream(new Trickle(bytes), long.MaxValue);
        var output = new MemoryStream();
        decoded.CopyTo(output);
        decoded.Finish();
        Assert.Null(decoded.Error);
        Assert.Equal(encoding, decoded.EncodingName);
        Assert.Equal(Encoding.UTF8.GetBytes(body), output.ToArray());
        Assert.Equal(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), decoded.Sha256);
    }
}
