using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.IO;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Writes the rows of a users CSV that an import skips back out, in the file's own columns (original header texts,
/// same order) plus a last ERRORS column with every reason of the row joined by " | ", as UTF-8 with BOM, CRLF and
/// Kolibri's quoting. With a plan, that is every skipped row whatever rejected it (a CSV rule, the planner, or an
/// invalid row protecting the same user); with the document alone, the rows that failed a CSV rule. The admin fixes
/// the rows and imports the file again: the reader ignores the ERRORS column. File and header errors are not rows
/// and are not written. This file is the only place a CSV password is written back, as typed.
/// </summary>
public static class RejectedRowsCsvWriter
{
    public const string ErrorSeparator = " | ";

    /// <summary>Writes the skipped rows of a plan to a file (replaced if it exists; written under a temporary name first).</summary>
    public static void Write(string path, UsersCsvDocument doc, ImportPlan? plan = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(doc);
        SafeFileWriter.Write(path, ExistingFile.Overwrite, stream => Write(stream, doc, plan));
    }

    /// <summary>Writes UTF-8 with BOM to a stream (left open); returns the number of rows written.</summary>
    public static int Write(Stream stream, UsersCsvDocument doc, ImportPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, CsvEncodings.Utf8Bom, 1 << 16, leaveOpen: true);
        var rows = Write(writer, doc, plan);
        writer.Flush();
        return rows;
    }

    /// <summary>Writes to a text writer (its encoding is the caller's); the writer is flushed, not closed. Returns the number of rows written.</summary>
    /// <exception cref="ImportConflictException">The CSV file changed since it was read: its rows cannot be copied from it.</exception>
    public static int Write(TextWriter writer, UsersCsvDocument doc, ImportPlan? plan = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(doc);
        var reasons = plan?.SkippedRows()
            ?? doc.Rejected.ToDictionary(r => r.Row, r => (IReadOnlyList<string>)r.Errors.Select(e => e.Message).ToList());
        var columns = doc.Headers.Select((text, index) => (Text: text, Index: index, Key: UsersCsvHeader.KeyOf(text)))
            .Select(h => (h.Text, h.Index, h.Key, Kind: UsersCsvHeader.KindOf(h.Key)))
            .Where(h => h.Kind != HeaderCellKind.Errors)
            .ToList();

        // A row read from a file is copied from it again, so the skipped rows are never all in memory at once.
        var firstIndexOfKey = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in columns)
        {
            firstIndexOfKey.TryAdd(c.Kind == HeaderCellKind.Column ? c.Key : c.Text, c.Index);
        }

        using var csv = new KolibriCsvWriter(writer);
        csv.WriteRow([.. columns.Select(c => c.Text), UsersCsvLimits.ErrorsColumn]);
        var rejected = doc.Rejected.ToDictionary(r => r.Row);
        var valid = doc.Rows.Where(r => reasons.ContainsKey(r.Row)).ToDictionary(r => r.Row);
        using var records = NeedsFile(doc, reasons.Keys, rejected, valid) ? doc.Source!.Open() : null;
        var written = 0;
        foreach (var (rowNumber, rowReasons) in reasons.OrderBy(r => r.Key))
        {
            Func<(string Text, int Index, string Key, HeaderCellKind Kind), string>? cellOf;
            if (rejected.TryGetValue(rowNumber, out var bad))
            {
                if (bad.Source is { } span && records is not null)
                {
                    // As the reader keyed the row's cells: by machine name or header text, the first column of a name winning.
                    var raw = records.Fields(span);
                    cellOf = c => firstIndexOfKey[c.Kind == HeaderCellKind.Column ? c.Key : c.Text] is var i && i < raw.Length ? raw[i] : "";
                }
                else
                {
                    cellOf = c => bad.Cells.GetValueOrDefault(c.Kind == HeaderCellKind.Column ? c.Key : c.Text, "");
                }
            }
            else if (valid.TryGetValue(rowNumber, out var good))
            {
                var raw = good.Source is { } span && records is not null ? records.Fields(span) : null;
                cellOf = c => raw is null ? CellOf(good, c.Key) : c.Index < raw.Length ? raw[c.Index] : "";
            }
            else
            {
                continue;
            }

            var fields = columns.Select(c =>
            {
                var value = cellOf(c);
                // Formula guard as Kolibri's export has it (the reader undoes it); a password is written as typed.
                return c.Key == UsersCsvFormat.Password ? value : CsvInjection.Sanitize(value);
            });
            csv.WriteRow([.. fields, CsvInjection.Sanitize(string.Join(ErrorSeparator, rowReasons))]);
            written++;
        }

        records?.Complete();
        csv.Flush();
        return written;
    }

    private static bool NeedsFile(UsersCsvDocument doc, IEnumerable<int> rows, Dictionary<int, RejectedRow> rejected, Dictionary<int, ImportRow> valid) =>
        doc.Source is not null && rows.Any(r => rejected.GetValueOrDefault(r)?.Source is not null || valid.GetValueOrDefault(r)?.Source is not null);

    /// <summary>The cell of a valid row not read from a file: its value as the export would write it.</summary>
    private static string CellOf(ImportRow row, string column) => column switch
    {
        UsersCsvFormat.Uuid => row.Uuid ?? "",
        UsersCsvFormat.Username => row.Username,
        UsersCsvFormat.Password => row.Password,
        UsersCsvFormat.FullName => row.FullName,
        UsersCsvFormat.UserType => row.UserType.ToString(),
        UsersCsvFormat.Identifier => row.Identifier ?? "",
        UsersCsvFormat.BirthYear => row.BirthYear ?? "",
        UsersCsvFormat.Gender => row.Gender ?? "",
        UsersCsvFormat.EnrolledIn => ClassList.Join(row.EnrolledIn ?? []),
        UsersCsvFormat.AssignedTo => ClassList.Join(row.AssignedTo ?? []),
        _ => "",
    };
}
