using System.Globalization;
using System.Text;
using CsvHelper;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Users;

namespace KolibriFacility.Bench;

/// <summary>
/// Reading a users CSV of 20,000 rows (Kolibri's labelled header, UTF-8 with BOM): the full reader (decoding,
/// tokenising, every row rule) against CsvHelper alone tokenising the same bytes, as a ratio measured in one run.
/// </summary>
public sealed class UsersCsvReadScenario : IBenchScenario
{
    private const int Rows = 20_000;

    public string Name => "users-csv-read";

    public void Run(BenchContext context, BenchReport report)
    {
        var bytes = MakeFile();
        UsersCsvDocument? doc = null;
        var reader = context.Measure(() =>
        {
            using var stream = new MemoryStream(bytes);
            doc = UsersCsvReader.Read(stream);
        });
        var tokeniser = context.Measure(() =>
        {
            using var csv = CsvReader.Create(bytes, new CsvReaderOptions { Separator = ',', TrackLineNumbers = true });
            var fields = 0L;
            while (csv.Read())
            {
                for (var i = 0; i < csv.FieldCount; i++)
                {
                    fields += csv.GetString(i).Length;
                }
            }
        });

        report.Add(Name, "rows read / errors", $"{doc!.Rows.Count} / {doc.Errors.Count}");
        report.AddTime(Name, $"UsersCsvReader.Read, {Rows} rows", reader);
        report.AddTime(Name, "CsvHelper alone, same bytes", tokeniser);
        report.Add(Name, "reader / tokeniser time", reader.Median.TotalMilliseconds / tokeniser.Median.TotalMilliseconds, "x");
        report.Add(Name, "reader time per row", reader.Median.TotalMilliseconds * 1000 / Rows, "µs");
    }

    private static byte[] MakeFile()
    {
        var text = new StringBuilder();
        text.Append(string.Join(",", UsersCsvFormat.EnglishHeader())).Append("\r\n");
        for (var i = 0; i < Rows; i++)
        {
            var id = Guid.NewGuid().ToString("N");
            text.Append(CultureInfo.InvariantCulture, $"{id},learner{i},*,Núñez Learner {i},LEARNER,ID-{i},{1990 + (i % 20)},{(i % 2 == 0 ? "FEMALE" : "")},\"Class {i % 7},Reading Club\",\r\n");
        }

        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }
}
