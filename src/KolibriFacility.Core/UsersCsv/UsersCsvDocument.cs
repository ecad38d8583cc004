using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Everything read from one users CSV: the valid rows, the rejected rows and every file, header and row error, the
/// columns present (machine names), and the SHA-256 of the file's bytes. Produced by <c>UsersCsvReader</c>; consumed
/// by the import planner.
/// </summary>
public sealed class UsersCsvDocument
{
    public required string Sha256 { get; init; }

    /// <summary>Full path of the file read, or null when read from a stream.</summary>
    public string? Path { get; init; }

    /// <summary>Machine names of the recognised columns, in file order.</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>The column headers exactly as written in the file, in file order.</summary>
    public required IReadOnlyList<string> Headers { get; init; }

    /// <summary>
    /// The encoding the file was read in, by its PowerShell -Encoding name: utf8BOM, utf8NoBOM, unicode (UTF-16 LE) or
    /// bigendianunicode (UTF-16 BE).
    /// </summary>
    public string Encoding { get; init; } = "utf8BOM";

    /// <summary>The field separator found in the header line: ',' (Kolibri), ';' or tab.</summary>
    public char Separator { get; init; } = ',';

    public required IReadOnlyList<ImportRow> Rows { get; init; }

    public required IReadOnlyList<RejectedRow> Rejected { get; init; }

    /// <summary>File and header errors (Row null) first, then row errors in row order.</summary>
    public required IReadOnlyList<ImportError> Errors { get; init; }

    /// <summary>
    /// The file's last line has no line break although its other lines have one, as when a copy or a download was
    /// cut off (Kolibri's export ends every line with CRLF).
    /// </summary>
    public bool LastLineUnterminated { get; init; }

    /// <summary>Data rows read, valid or not.</summary>
    public int DataRowCount => Rows.Count + Rejected.Count;

    /// <summary>True when the file itself could not be used (encoding, quoting, header): no row is valid then.</summary>
    public bool HasFileErrors => Errors.Any(e => e.Row is null);

    /// <summary>
    /// The file the rows were read from, to read a row again by its position (the rejected-rows file); null for a
    /// document made in memory, whose rows carry their values.
    /// </summary>
    internal CsvRecordSource? Source { get; init; }

    public bool HasColumn(string machineName) => Columns.Contains(machineName, StringComparer.Ordinal);
}
