using KolibriFacility.Core.Csv;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Writes the rejected rows of a users CSV back out, in the file's own columns (original header texts, same order)
/// plus a last ERRORS column with every error of the row joined by " | ", as UTF-8 with BOM, CRLF and Kolibri's
/// quoting. The admin fixes the rows and imports the file again: the reader ignores the ERRORS column.
/// File and header errors are not rows and are not written.
/// </summary>
public static class RejectedRowsCsvWriter
{
    public const string ErrorSeparator = " | ";

    /// <summary>Writes to a file (replaced if it exists; written under a temporary name first).</summary>
    public static void Write(string path, UsersCsvDocument doc)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(doc);
        SafeFileWriter.Write(path, ExistingFile.Overwrite, stream => Write(stream, doc));
    }

    /// <summary>Writes UTF-8 with BOM to a stream (left open); returns the number of rows written.</summary>
    public static int Write(Stream stream, UsersCsvDocument doc)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, CsvEncodings.Utf8Bom, 1 << 16, leaveOpen: true);
        Write(writer, doc);
        writer.Flush();
        return doc.Rejected.Count;
    }

    /// <summary>Writes to a text writer (its encoding is the caller's); the writer is flushed, not closed.</summary>
    public static void Write(TextWriter writer, UsersCsvDocument doc)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(doc);
        var columns = doc.Headers.Select(text => (Text: text, Key: UsersCsvHeader.KeyOf(text)))
            .Select(h => (h.Text, h.Key, Kind: UsersCsvHeader.KindOf(h.Key)))
            .Where(h => h.Kind != HeaderCellKind.Errors)
            .ToList();

        using var csv = new KolibriCsvWriter(writer);
        csv.WriteRow([.. columns.Select(c => c.Text), UsersCsvLimits.ErrorsColumn]);
        foreach (var row in doc.Rejected)
        {
            var fields = columns.Select(c =>
            {
                var value = row.Cells.GetValueOrDefault(c.Kind == HeaderCellKind.Column ? c.Key : c.Text, "");
                // Formula guard as Kolibri's export has it (the reader undoes it); a password is written as typed.
                return c.Key == UsersCsvFormat.Password ? value : CsvInjection.Sanitize(value);
            });
            csv.WriteRow([.. fields, CsvInjection.Sanitize(string.Join(ErrorSeparator, row.Errors.Select(e => e.Message)))]);
        }

        csv.Flush();
    }
}
