using System.Text;
using KolibriFacility.Core.Csv;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Writes log rows exactly as Kolibri 0.17's exportlogs does (INTEROP.md 2.2-2.3): English header, timestamps as
/// Python prints them in their stored zone, time spent to one decimal, progress floored to four, names looked up,
/// formula-injection guard on every text cell. Rows stream from the reader to the writer; nothing is collected.
/// </summary>
public static class LogsCsvExporter
{
    /// <summary>Writes header and rows; returns the number of rows written. <paramref name="onRow"/> gets the running count.</summary>
    public static long Write(TextWriter output, LogType type, IEnumerable<LogRecord> records, Action<long>? onRow = null, CancellationToken cancellation = default)
    {
        using var csv = new KolibriCsvWriter(output);
        csv.WriteRow(LogsCsvFormat.Header(type));
        var summary = type == LogType.Summary;
        var row = new string[summary ? 12 : 11];
        long written = 0;
        foreach (var record in records)
        {
            cancellation.ThrowIfCancellationRequested();
            Fill(row, record, summary);
            csv.WriteRow(row);
            written++;
            onRow?.Invoke(written);
        }

        return written;
    }

    public static long Write(Stream output, Encoding encoding, LogType type, IEnumerable<LogRecord> records, Action<long>? onRow = null, CancellationToken cancellation = default)
    {
        using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true);
        var written = Write(writer, type, records, onRow, cancellation);
        writer.Flush();
        return written;
    }

    /// <summary>The cells of one row, in the column order of <see cref="LogsCsvFormat.Header"/>.</summary>
    public static void Fill(string[] row, LogRecord record, bool summary)
    {
        var i = 0;
        row[i++] = CsvInjection.Sanitize(record.FacilityName);
        row[i++] = CsvInjection.Sanitize(record.Username);
        row[i++] = CsvInjection.Sanitize(record.ChannelId);
        row[i++] = CsvInjection.Sanitize(record.ChannelName);
        row[i++] = CsvInjection.Sanitize(record.ContentId);
        row[i++] = CsvInjection.Sanitize(record.ContentTitle);
        row[i++] = LogTimestampFormat.ToExportText(record.StartTimestamp);
        row[i++] = LogTimestampFormat.ToExportText(record.EndTimestamp);
        if (summary)
        {
            row[i++] = LogTimestampFormat.ToExportText(record.CompletionTimestamp);
        }

        row[i++] = PythonNumberFormat.OneDecimal(record.TimeSpent);
        row[i++] = PythonNumberFormat.FlooredFourDecimals(record.Progress);
        row[i] = CsvInjection.Sanitize(record.Kind);
    }
}
