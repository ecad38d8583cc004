using System.Text;
using KolibriFacility.Core.Csv;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Writes log rows exactly as Kolibri 0.17's exportlogs does (docs/Kolibri.md, Log columns and Log values): English header, timestamps as
/// Python prints them in their stored zone, time spent to one decimal, progress floored to four, names looked up,
/// formula-injection guard on every text cell. Rows stream from the reader to the writer; nothing is collected.
/// </summary>
/// <remarks>
/// Cells go straight to the TextWriter with Python's csv dialect (comma, CRLF, QUOTE_MINIMAL, quotes doubled), the
/// same rules as <see cref="KolibriCsvWriter"/>, without building a string per cell: this is the hot path of a
/// million-row export.
/// </remarks>
public static class LogsCsvExporter
{
    private static readonly System.Buffers.SearchValues<char> NeedsQuotes = System.Buffers.SearchValues.Create(",\"\r\n");

    /// <summary>Writes header and rows; returns the number of rows written. <paramref name="onRow"/> gets the running count.</summary>
    public static long Write(TextWriter output, LogType type, IEnumerable<LogRecord> records, Action<long>? onRow = null, CancellationToken cancellation = default)
    {
        var summary = type == LogType.Summary;
        var header = LogsCsvFormat.Header(type);
        for (var i = 0; i < header.Length; i++)
        {
            if (i > 0) output.Write(',');
            Text(output, header[i]);
        }

        output.Write("\r\n");
        Span<char> number = stackalloc char[32];
        long written = 0;
        foreach (var record in records)
        {
            cancellation.ThrowIfCancellationRequested();
            Text(output, CsvInjection.Sanitize(record.FacilityName));
            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.Username));
            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.ChannelId));
            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.ChannelName));
            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.ContentId));
            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.ContentTitle));
            output.Write(',');
            Timestamp(output, record.StartTimestamp);
            output.Write(',');
            Timestamp(output, record.EndTimestamp);
            output.Write(',');
            if (summary)
            {
                Timestamp(output, record.CompletionTimestamp);
                output.Write(',');
            }

            if (PythonNumberFormat.FormatOneDecimal(record.TimeSpent, number, out var length))
            {
                output.Write(number[..length]);
            }
            else
            {
                Text(output, PythonNumberFormat.OneDecimal(record.TimeSpent));
            }

            output.Write(',');
            if (PythonNumberFormat.FormatFlooredFourDecimals(record.Progress, number, out length))
            {
                output.Write(number[..length]);
            }
            else
            {
                Text(output, PythonNumberFormat.FlooredFourDecimals(record.Progress));
            }

            output.Write(',');
            Text(output, CsvInjection.Sanitize(record.Kind));
            output.Write("\r\n");
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

    private static void Timestamp(TextWriter output, string? stored)
    {
        if (stored is not null && LogTimestampFormat.TryUtcClock(stored, out var clock))
        {
            output.Write(clock);
            output.Write(LogTimestampFormat.UtcOffset);
        }
        else
        {
            output.Write(LogTimestampFormat.ToExportText(stored));
        }
    }

    /// <summary>One cell, quoted only when it holds a comma, quote, CR or LF (Python's QUOTE_MINIMAL).</summary>
    private static void Text(TextWriter output, ReadOnlySpan<char> value)
    {
        if (value.IndexOfAny(NeedsQuotes) < 0)
        {
            output.Write(value);
            return;
        }

        output.Write('"');
        int quote;
        while ((quote = value.IndexOf('"')) >= 0)
        {
            output.Write(value[..(quote + 1)]);
            output.Write('"');
            value = value[(quote + 1)..];
        }

        output.Write(value);
        output.Write('"');
    }
}
