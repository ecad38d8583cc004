using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Tests;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>The rejected-rows file: the input's columns plus ERRORS, and it imports again once fixed.</summary>
public sealed class RejectedRowsCsvWriterTests : IDisposable
{
    private const string Header = "Nombre de usuario (USERNAME),Notas,Contraseña (PASSWORD),Nombre completo (FULL_NAME),Tipo de usuario (USER_TYPE),Género (GENDER)";
    private static readonly UsersCsvReadOptions Ignore = new() { IgnoreUnknownColumns = true };
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static UsersCsvDocument Source() => Read(File(
        Header,
        "ana,ok,pw,Ana,LEARNER,",
        "bad name,\"note, with comma\",,=Formula,teacher,female",
        "ana,,pw,\"Ana\nSecond\",LEARNER,x"), Ignore);

    [Fact]
    public void Rejected_rows_are_written_in_the_input_columns_with_their_errors()
    {
        var path = folder.File("rejected.csv");
        var source = Source();
        RejectedRowsCsvWriter.Write(path, source);

        var bytes = System.IO.File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var text = Encoding.UTF8.GetString(bytes[3..]);
        var expected =
            Header + ",ERRORS\r\n"
            + Line("bad name", "note, with comma", "", "'=Formula", "teacher", "female", string.Join(" | ", source.Rejected[0].Errors.Select(e => e.Message))) + "\r\n"
            + Line("ana", "", "pw", "Ana\nSecond", "LEARNER", "x", string.Join(" | ", source.Rejected[1].Errors.Select(e => e.Message))) + "\r\n";
        Assert.StartsWith(Header + ",ERRORS\r\nbad name,\"note, with comma\",,'=Formula,", text, StringComparison.Ordinal);
        Assert.Equal(expected, text);
        Assert.Equal([ImportErrorIds.UsernameInvalidCharacters, ImportErrorIds.PasswordRequired, ImportErrorIds.UserTypeInvalid], source.Rejected[0].Errors.Select(e => e.ErrorId));
        Assert.Equal([ImportErrorIds.UsernameDuplicated, ImportErrorIds.GenderInvalid], source.Rejected[1].Errors.Select(e => e.ErrorId));
    }

    [Fact]
    public void The_rejected_file_reads_again_with_the_same_errors_and_its_errors_column_ignored()
    {
        var path = folder.File("rejected.csv");
        var source = Source();
        RejectedRowsCsvWriter.Write(path, source);

        var again = UsersCsvReader.Read(path, Ignore);

        Assert.Equal(source.Headers.Append("ERRORS"), again.Headers);
        Assert.Equal(source.Columns, again.Columns);
        Assert.Empty(again.Rows);
        Assert.Equal(source.Rejected[0].Errors.Select(e => (e.ErrorId, e.Column, e.Value)), again.Rejected[0].Errors.Select(e => (e.ErrorId, e.Column, e.Value)));
        // The row 'ana' it duplicated was valid and is not in the rejected file, so only the gender error is left.
        Assert.Equal([ImportErrorIds.GenderInvalid], again.Rejected[1].Errors.Select(e => e.ErrorId));
        Assert.Equal([1, 2], again.Rejected.Select(r => r.Row));
        Assert.Equal([2, 3], again.Rejected.Select(r => r.Line));

        // Fixed by hand, it imports; writing its (empty) rejected rows again keeps a single ERRORS column.
        var fixedText = System.IO.File.ReadAllText(path)
            .Replace("bad name,", "bad_name,", StringComparison.Ordinal).Replace(",,'=Formula,teacher", ",pw2,'=Formula,COACH", StringComparison.Ordinal)
            .Replace("COACH", "CLASS_COACH", StringComparison.Ordinal).Replace("ana,,pw,", "ana2,,pw,", StringComparison.Ordinal).Replace("LEARNER,x,", "LEARNER,,", StringComparison.Ordinal);
        System.IO.File.WriteAllText(path, fixedText, new UTF8Encoding(true));
        var fixedDoc = UsersCsvReader.Read(path, Ignore);
        Assert.Empty(fixedDoc.Errors);
        Assert.Equal(["bad_name", "ana2"], fixedDoc.Rows.Select(r => r.Username));
        Assert.Equal("=Formula", fixedDoc.Rows[0].FullName);
        Assert.Equal("Ana\nSecond", fixedDoc.Rows[1].FullName);

        using var writer = new StringWriter();
        RejectedRowsCsvWriter.Write(writer, fixedDoc);
        Assert.Equal(Header + ",ERRORS\r\n", writer.ToString());
    }

    [Fact]
    public void A_rejected_errors_column_alone_is_not_an_unknown_column()
    {
        var path = folder.File("rejected.csv");
        RejectedRowsCsvWriter.Write(path, Read(File(MachineHeader, Row("x y"))));
        var again = UsersCsvReader.Read(path);
        Assert.Equal(ImportErrorIds.UsernameInvalidCharacters, Assert.Single(again.Errors).ErrorId);
    }

    [Fact]
    public void Short_rows_and_file_errors_write_what_there_is()
    {
        using var writer = new StringWriter();
        RejectedRowsCsvWriter.Write(writer, Read(File("USERNAME,PASSWORD,FULL_NAME,USER_TYPE", "ann,pw")));
        Assert.StartsWith("USERNAME,PASSWORD,FULL_NAME,USER_TYPE,ERRORS\r\nann,pw,,,The row has 2 field(s)", writer.ToString(), StringComparison.Ordinal);

        using var headerError = new StringWriter();
        RejectedRowsCsvWriter.Write(headerError, Read(File("USERNAME,Notes", "ann,x")));
        Assert.Equal("USERNAME,Notes,ERRORS\r\n", headerError.ToString());

        using var empty = new StringWriter();
        RejectedRowsCsvWriter.Write(empty, Read(""));
        Assert.Equal("ERRORS\r\n", empty.ToString());
    }
}
