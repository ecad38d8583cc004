using System.Text;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Logs;
using KolibriFacility.Tests;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Core.Tests.IO;

/// <summary>Default file names made from facility names: safe, visible, one line and short enough on every OS.</summary>
public sealed class FileNamesTests : IDisposable
{
    private const string Id = "9c9a0e6a5f0d4f7e9a3b2c1d0e9f8a7b";
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Kolibris_names_stay_as_Kolibri_makes_them()
    {
        Assert.Equal("Demo Facility_9c9a_users.csv", UsersCsvFormat.DefaultFileName("Demo Facility", Id));
        Assert.Equal("École Saint-Jean_9c9a_content_session_logs_from_2026-10-30_to_2026-11-22.csv",
            LogsCsvFormat.DefaultFileName("École Saint-Jean", Id, LogType.Session, new DateOnly(2026, 10, 30), new DateOnly(2026, 11, 22)));
    }

    [Theory]
    [InlineData("Line\nbreak\r\ttab", "Line_break__tab_9c9a_users.csv")]
    [InlineData(".x", "_x_9c9a_users.csv")]
    [InlineData("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j_9c9a_users.csv")]
    [InlineData("evil\u202Ecsv.exe", "evil_csv.exe_9c9a_users.csv")]
    public void Unsafe_characters_hidden_names_and_device_names_are_neutralised(string facility, string expected)
    {
        Assert.Equal(expected, UsersCsvFormat.DefaultFileName(facility, Id));
    }

    [Fact]
    public void A_name_whose_stem_is_a_Windows_device_gets_an_underscore()
    {
        Assert.Equal("_nul.txt", FileNames.Safe("nul", ".txt"));
        Assert.Equal("_COM1.csv", FileNames.Safe("COM1", ".csv"));
        Assert.Equal("CON_9c9a_users.csv", UsersCsvFormat.DefaultFileName("CON", Id)); // "CON_9c9a_users" is no device
    }

    [Theory]
    [InlineData('a')]
    [InlineData('é')]
    [InlineData('漢')]
    public void A_100_character_facility_name_gives_a_log_file_name_that_can_be_written(char letter)
    {
        var facility = new string(letter, 100); // Kolibri's longest facility name
        var name = LogsCsvFormat.DefaultFileName(facility, Id, LogType.Summary, new DateOnly(2026, 1, 1), new DateOnly(2026, 12, 31));

        Assert.True(Encoding.UTF8.GetByteCount(name) <= FileNames.MaxBytes, name);
        Assert.EndsWith("_9c9a_content_summary_logs_from_2026-01-01_to_2026-12-31.csv", name, StringComparison.Ordinal);
        var path = folder.File(name);
        SafeFileWriter.Write(path, new OutputFileOptions(), stream => { stream.WriteByte(1); return 0; });
        Assert.True(File.Exists(path));
    }
}
