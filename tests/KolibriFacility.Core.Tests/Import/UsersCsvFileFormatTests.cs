using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>Encodings, separators, line breaks, quoting and the file-level errors.</summary>
public sealed class UsersCsvFileFormatTests
{
    private static readonly string Sample = File(MachineHeader, Row("zoë", ("FULL_NAME", "Zoë Ó'Connor-Núñez")), Row("chen", ("FULL_NAME", "陈 静")));

    public static TheoryData<string, string> Encodings => new()
    {
        { "utf8BOM", "utf8BOM" },
        { "utf8NoBOM", "utf8NoBOM" },
        { "unicode", "unicode" },
        { "bigendianunicode", "bigendianunicode" },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Utf8_with_or_without_bom_and_utf16_with_bom_read_the_same(string encoding, string expectedName)
    {
        Encoding enc = encoding switch
        {
            "utf8BOM" => new UTF8Encoding(true),
            "utf8NoBOM" => new UTF8Encoding(false),
            "unicode" => new UnicodeEncoding(false, true),
            _ => new UnicodeEncoding(true, true),
        };
        var doc = Read(Encode(Sample, enc));

        Assert.Empty(doc.Errors);
        Assert.Equal(expectedName, doc.Encoding);
        Assert.Equal(["zoë", "chen"], doc.Rows.Select(r => r.Username));
        Assert.Equal(["Zoë Ó'Connor-Núñez", "陈 静"], doc.Rows.Select(r => r.FullName));
        Assert.Equal("UUID", doc.Headers[0]);
    }

    [Fact]
    public void Invalid_utf8_is_an_encoding_error_with_the_byte_offset_and_line()
    {
        // "García" saved as Latin-1 (Excel's "CSV (Comma delimited)" on a Western Windows).
        var prefix = Encoding.UTF8.GetBytes(File(MachineHeader, Row("first")) + ",garcia,pw,Garc");
        byte[] bytes = [.. prefix, 0xED, .. Encoding.UTF8.GetBytes("a,LEARNER,,,,,\r\n")];

        var doc = Read(bytes);

        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.EncodingInvalid, error.ErrorId);
        Assert.Null(error.Row);
        Assert.Equal(3, error.Line);
        Assert.Equal("byte offset " + prefix.Length, error.Value);
        Assert.Contains("0xED", error.Message, StringComparison.Ordinal);
        Assert.Contains($"byte offset {prefix.Length}", error.Message, StringComparison.Ordinal);
        Assert.True(doc.HasFileErrors);
        Assert.Empty(doc.Rows);
        Assert.Empty(doc.Rejected);
    }

    [Fact]
    public void Utf16_without_a_bom_and_broken_utf16_are_encoding_errors()
    {
        var noBom = Read(Encoding.Unicode.GetBytes(Sample));
        Assert.Equal(ImportErrorIds.EncodingInvalid, Assert.Single(noBom.Errors).ErrorId);
        Assert.Contains("NUL", noBom.Errors[0].Message, StringComparison.Ordinal);

        byte[] broken = [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("USERNAME\n"), 0x00, 0xD8, 0x41, 0x00];
        var error = Assert.Single(Read(broken).Errors);
        Assert.Equal(ImportErrorIds.EncodingInvalid, error.ErrorId);
        Assert.Equal(2, error.Line);
        Assert.Equal("byte offset 20", error.Value);
    }

    [Theory]
    [InlineData(',')]
    [InlineData(';')]
    [InlineData('\t')]
    public void The_separator_is_found_in_the_header_line(char separator)
    {
        var text = File(
            Line(separator, "Nombre, de usuario (USERNAME)", "PASSWORD", "FULL_NAME", "USER_TYPE", "ENROLLED_IN"),
            Line(separator, "ana", "pw", "Ana; Pérez, Jr.", "LEARNER", "Class A,Class B"));

        var doc = Read(text);

        Assert.Empty(doc.Errors);
        Assert.Equal(separator, doc.Separator);
        var row = Assert.Single(doc.Rows);
        Assert.Equal("Ana; Pérez, Jr.", row.FullName);
        Assert.Equal(["Class A", "Class B"], row.EnrolledIn);
    }

    [Fact]
    public void Excels_separator_line_names_the_separator_and_counts_as_a_line()
    {
        var doc = Read("sep=;\r\nUSERNAME;PASSWORD;FULL_NAME;USER_TYPE\r\nana;pw;Ana, Jr.;LEARNER\r\nbob;pw;Bob;boss\r\n");

        Assert.Equal(';', doc.Separator);
        Assert.Equal(["USERNAME", "PASSWORD", "FULL_NAME", "USER_TYPE"], doc.Headers);
        var row = Assert.Single(doc.Rows);
        Assert.Equal("Ana, Jr.", row.FullName);
        Assert.Equal(3, row.Line);
        Assert.Equal(4, Assert.Single(doc.Errors).Line);
        Assert.Equal(2, Assert.Single(Read("SEP=,\nUSERNAME,X\n").Errors, e => e.ErrorId == ImportErrorIds.UnknownColumn).Line);
    }

    [Fact]
    public void A_semicolon_file_with_unquoted_class_lists_splits_classes_on_commas()
    {
        var doc = Read("USERNAME;PASSWORD;FULL_NAME;USER_TYPE;ENROLLED_IN\nana;pw;Ana;LEARNER;Class A,Class B\n");
        Assert.Equal(["Class A", "Class B"], Assert.Single(doc.Rows).EnrolledIn);
    }

    [Theory]
    [InlineData("\r\n")]
    [InlineData("\n")]
    [InlineData("\r")]
    public void Crlf_lf_and_cr_line_breaks_read_the_same(string newline)
    {
        var text = string.Join(newline, MachineHeader, Row("a"), Row("b"), Row("c")) + newline;
        var doc = Read(text);

        Assert.Empty(doc.Errors);
        Assert.Equal(["a", "b", "c"], doc.Rows.Select(r => r.Username));
        Assert.Equal([2, 3, 4], doc.Rows.Select(r => r.Line));
    }

    [Fact]
    public void The_last_line_needs_no_line_break_and_mixed_breaks_are_fine()
    {
        var doc = Read(MachineHeader + "\r\n" + Row("a") + "\n" + Row("b"));
        Assert.Equal(["a", "b"], doc.Rows.Select(r => r.Username));
    }

    [Fact]
    public void Quoted_values_may_hold_line_breaks_and_quotes_and_line_numbers_count_physical_lines()
    {
        var doc = Read(File(MachineHeader,
            Row("a", ("FULL_NAME", "Ann \"Nan\" Lee"), ("ENROLLED_IN", "Class A,\r\nClass B")),
            Row("b", ("FULL_NAME", "Bob\nBrown")),
            Row("c", ("USER_TYPE", "nobody"))));

        Assert.Equal([1, 2], doc.Rows.Select(r => r.Row));
        Assert.Equal([2, 4], doc.Rows.Select(r => r.Line));
        Assert.Equal("Ann \"Nan\" Lee", doc.Rows[0].FullName);
        Assert.Equal(["Class A", "Class B"], doc.Rows[0].EnrolledIn);
        Assert.Equal("Bob\nBrown", doc.Rows[1].FullName);
        var error = Assert.Single(doc.Errors);
        Assert.Equal(3, error.Row);
        Assert.Equal(6, error.Line);
    }

    [Fact]
    public void Blank_lines_are_skipped_and_not_counted_as_rows()
    {
        var doc = Read(MachineHeader + "\r\n\r\n" + Row("a") + "\r\n\r\n\r\n" + Row("b", ("GENDER", "x")) + "\r\n\r\n");

        Assert.Equal(1, doc.Rows.Single().Row);
        Assert.Equal(3, doc.Rows.Single().Line);
        var error = Assert.Single(doc.Errors);
        Assert.Equal(2, error.Row);
        Assert.Equal(6, error.Line);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0xEF, 0xBB, 0xBF })]
    [InlineData(new byte[] { 0x0D, 0x0A, 0x0D, 0x0A })]
    [InlineData(new byte[] { 0xFF, 0xFE })]
    public void An_empty_file_is_a_file_error(byte[] bytes)
    {
        var error = Assert.Single(Read(bytes).Errors);
        Assert.Equal(ImportErrorIds.FileEmpty, error.ErrorId);
        Assert.Null(error.Row);
    }

    [Fact]
    public void A_header_without_rows_is_a_valid_file_with_no_rows()
    {
        var doc = Read(MachineHeader + "\r\n");
        Assert.Empty(doc.Errors);
        Assert.Empty(doc.Rows);
        Assert.Equal(10, doc.Columns.Count);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_malformed_csv()
    {
        var doc = Read(File(MachineHeader, Row("a"), "\"b\"x,b,pw,B,LEARNER,,,,,"));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.MalformedCsv, error.ErrorId);
        Assert.Null(error.Row);
        Assert.Equal(3, error.Line);
        Assert.Equal("\"b\"x,b,***,B,LEARNER,,,,,", error.Value);
        Assert.True(doc.HasFileErrors);
        Assert.Empty(doc.Rows);
    }

    [Fact]
    public void A_quote_that_is_never_closed_is_malformed_csv()
    {
        var doc = Read(File(MachineHeader, Row("a"), ",b,pw,\"Bob,LEARNER,,,,,", Row("c")));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.MalformedCsv, error.ErrorId);
        Assert.Equal(3, error.Line);
        Assert.Contains("never closed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_quoting_in_the_header_is_reported_first()
    {
        var doc = Read(File("USERNAME,\"PASSWORD,FULL_NAME,USER_TYPE", Row("a")));

        Assert.Equal(ImportErrorIds.MalformedCsv, doc.Errors[0].ErrorId);
        Assert.Equal(1, doc.Errors[0].Line);
        Assert.Contains(doc.Errors, e => e.ErrorId == ImportErrorIds.MissingColumn);
        Assert.Empty(doc.Rows);
    }

    [Fact]
    public void A_quote_inside_an_unquoted_value_is_text_as_in_python()
    {
        var doc = Read(File(MachineHeader, Row("a", ("FULL_NAME", "x")).Replace(",x,", ",Ann O\"Neil,", StringComparison.Ordinal)));
        Assert.Equal("Ann O\"Neil", Assert.Single(doc.Rows).FullName);
    }

    [Fact]
    public void Sha256_is_of_the_file_bytes_and_a_stream_has_no_path_unless_given()
    {
        var bytes = Encode(Sample, new UTF8Encoding(true));
        var doc = Read(bytes);
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(bytes)).ToLowerInvariant(), doc.Sha256);
        Assert.Null(doc.Path);

        using var stream = new MemoryStream(bytes);
        Assert.Equal("/x/users.csv", UsersCsvReader.Read(stream, null, "/x/users.csv").Path);
    }

    [Fact]
    public void A_missing_file_or_folder_throws_file_not_found()
    {
        using var folder = new TempFolder();
        Assert.Throws<FileNotFoundException>(() => UsersCsvReader.Read(folder.File("none.csv")));
        Assert.Throws<FileNotFoundException>(() => UsersCsvReader.Read(Path.Combine(folder.Path, "no-folder", "users.csv")));
    }

    [Fact]
    public void A_file_is_read_from_disk()
    {
        using var folder = new TempFolder();
        var path = folder.File("users.csv");
        System.IO.File.WriteAllText(path, Sample, new UTF8Encoding(true));
        var doc = UsersCsvReader.Read(path, new UsersCsvReadOptions());
        Assert.Equal(2, doc.Rows.Count);
        Assert.Equal(path, doc.Path);
    }
}
