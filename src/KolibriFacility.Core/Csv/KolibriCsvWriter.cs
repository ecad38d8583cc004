using CsvHelper;

namespace KolibriFacility.Core.Csv;

/// <summary>
/// Writes CSV the way Kolibri's Python csv writer does: comma, CRLF, QUOTE_MINIMAL (quote only fields that hold a
/// comma, quote, CR or LF), quotes doubled. Encoding and BOM are the caller's TextWriter's.
/// </summary>
public sealed class KolibriCsvWriter : IDisposable
{
    private readonly CsvWriter writer;

    public KolibriCsvWriter(TextWriter textWriter)
    {
        var options = new CsvWriterOptions
        {
            Mode = CsvMode.Rfc4180,
            Separator = ',',
            NewLine = "\r\n",
            HasHeader = false,
            Injection = CsvHelper.CsvInjection.None,
            ShouldQuote = static (field, _, _, _) => field.IndexOfAny(",\"\r\n") >= 0,
        };
        writer = CsvWriter.Create(textWriter, options, true);
    }

    public void WriteRow(IReadOnlyList<string> fields)
    {
        if (fields.Count == 1 && fields[0].Length == 0)
        {
            // Python writes a lone empty field as "" so the row is not mistaken for a blank line.
            writer.WriteField("", CsvQuoting.Always);
        }
        else
        {
            foreach (var field in fields)
            {
                writer.WriteField(field);
            }
        }

        writer.EndRecord();
    }

    public void Flush() => writer.Flush();

    public void Dispose()
    {
        writer.Flush();
        writer.Dispose();
    }
}
