using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;

using KolibriFacility.Core.Import;
using KolibriFacility.Core.IO;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Reads a users CSV (Kolibri's bulkexportusers format, or a hand-made one) into a <see cref="UsersCsvDocument"/>:
/// every valid row normalised, every invalid row with all its errors, and every file and header problem, so that an
/// import can show them all at once. Bad content never throws; only an unreadable file does.
/// </summary>
public static class UsersCsvReader
{
    /// <exception cref="FileNotFoundException">The file, or its folder, does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">Reading the file is not allowed.</exception>
    public static UsersCsvDocument Read(string path, UsersCsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        var file = new FileInfo(full);
        if (!file.Exists)
        {
            throw Directory.Exists(full)
                ? new UnauthorizedAccessException($"'{full}' is a folder, not a users CSV file.")
                : new FileNotFoundException(Directory.Exists(System.IO.Path.GetDirectoryName(full))
                    ? $"The file '{full}' does not exist."
                    : $"The file '{full}' does not exist (its folder does not exist).", full);
        }

        // Opening a named pipe blocks until a writer comes, and reading a device (/dev/zero) may never end: such a
        // path is never opened.
        if (UnixFiles.SpecialFileKindOf(full) is { } kind)
        {
            return new Builder(full) { Sha256 = Hex(SHA256.HashData(ReadOnlySpan<byte>.Empty)) }.Fail(new ImportError
            {
                ErrorId = ImportErrorIds.NotARegularFile,
                Value = kind,
                Message = $"'{full}' is {kind}, not a regular file, so it is not opened: a users CSV must be a file on disk (save the data to a file first).",
            });
        }

        // Where the file type cannot be told (not Linux), a pipe or device reports no length: it is never opened
        // either, and a regular empty file is refused the same way.
        if (file.Length == 0)
        {
            return new Builder(full) { Sha256 = Hex(SHA256.HashData(ReadOnlySpan<byte>.Empty)) }.Fail(new ImportError
            {
                ErrorId = ImportErrorIds.FileEmpty,
                Message = $"'{full}' has no bytes to read: it is empty, or it is not a regular file (a named pipe, a device such as /dev/zero, a socket), which cannot be imported. "
                    + "A users CSV is a file with a header line (such as USERNAME,PASSWORD,FULL_NAME,USER_TYPE) and a line per user.",
            });
        }

        if (file.Length > UsersCsvLimits.MaxFileBytes)
        {
            using var stream = file.OpenRead();
            return new Builder(full) { Sha256 = Hex(SHA256.HashData(stream)) }.Fail(TooLarge(file.Length.ToString("N0", CultureInfo.InvariantCulture) + " bytes"));
        }

        using var bytes = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Read(bytes, options ?? new UsersCsvReadOptions(), full, (sha, separator) => CsvRecordSource.OfFile(full, sha, separator));
    }

    /// <summary>
    /// Reads the stream from its current position, up to <see cref="UsersCsvLimits.MaxFileBytes"/>; the stream is not
    /// closed. Its bytes are kept with the document (a stream cannot be read twice) for the rejected-rows file.
    /// </summary>
    public static UsersCsvDocument Read(Stream stream, UsersCsvReadOptions? options = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > UsersCsvLimits.MaxFileBytes)
            {
                return new Builder(path) { Sha256 = Hex(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length))) }.Fail(TooLarge("more than that"));
            }
        }

        var bytes = buffer.GetBuffer();
        var length = (int)buffer.Length;
        using var copy = new MemoryStream(bytes, 0, length, writable: false);
        return Read(copy, options ?? new UsersCsvReadOptions(), path, (sha, separator) => CsvRecordSource.OfBytes(bytes, length, sha, separator));
    }

    private static ImportError TooLarge(string size) => new()
    {
        ErrorId = ImportErrorIds.FileTooLarge,
        Value = size,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"The file is too large for a users CSV ({size}; the limit is {UsersCsvLimits.MaxFileBytes:N0} bytes, and a 100,000-user export is about 15 MB). Is it the right file?"),
    };

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    /// <summary>Reads the file's text in one streaming pass: decoded, hashed and tokenised chunk by chunk; rows keep only their position in the file.</summary>
    private static UsersCsvDocument Read(Stream file, UsersCsvReadOptions options, string? path, Func<string, char, CsvRecordSource> source)
    {
        var result = new Builder(path);
        using var text = new CsvDecodingStream(file, UsersCsvLimits.MaxFileBytes);
        result.Encoding = text.EncodingName;
        if (text.Error is null)
        {
            Parse(text, options, result);
        }

        text.Finish();
        result.Sha256 = text.Sha256;
        if (text.Error is not null)
        {
            return result.FailOnly(text.Error);
        }

        result.LastLineUnterminated = text.LastLineUnterminated;

        if (text.TooLarge)
        {
            return result.FailOnly(TooLarge("more than the limit: it grew while it was read"));
        }

        if (!text.SawContent)
        {
            return result.FailOnly(new ImportError
            {
                ErrorId = ImportErrorIds.FileEmpty,
                Message = "The file is empty: a users CSV needs a header line (such as USERNAME,PASSWORD,FULL_NAME,USER_TYPE) and a line per user.",
            });
        }

        result.Source = source(result.Sha256, result.Separator);
        return result.Build();
    }

    /// <summary>CsvHelper's options for a users CSV: RFC 4180, lenient where Python's csv module is, records up to <see cref="UsersCsvLimits.MaxLineBytes"/>.</summary>
    internal static CsvReaderOptions CsvOptions(char separator, bool excelHint, bool hasHeader, Action<CsvMalformedRecord>? onMalformed) => new()
    {
        Separator = excelHint ? null : separator,
        DetectSeparatorHint = excelHint,
        HasHeader = hasHeader,
        Mode = CsvMode.Rfc4180,
        TrackLineNumbers = true,
        SkipEmptyLines = true,
        AllowLineBreaksInQuotes = true,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        MissingField = CsvMissingFieldHandling.ReturnEmpty,
        MalformedData = CsvMalformedDataHandling.Recover,
        MaxRecordSize = UsersCsvLimits.MaxLineBytes,
        // Rows are kept, and their values repeat (user types, years, class names): each distinct one is held once.
        PoolStrings = true,
        OnMalformedRecord = onMalformed,
    };

    private static void Parse(CsvDecodingStream text, UsersCsvReadOptions options, Builder result)
    {
        // The separator and Excel's "sep=;" line are told from the start of the text; CsvHelper skips that line and
        // still counts it as line 1.
        var prefix = text.Peek(SniffBytes);
        var excelHint = CsvSeparatorSniffer.HasExcelHint(prefix);
        result.Separator = excelHint ? ',' : CsvSeparatorSniffer.FromHeaderLine(prefix);
        // Quoted as soon as seen (a broken record may run on for a megabyte); only the header's waits for the header.
        var malformed = new List<(CsvMalformedRecord? Record, ImportError? Error)>();
        var passwordIndex = -1;
        var headerColumns = 0;
        var csvOptions = CsvOptions(result.Separator, excelHint, hasHeader: true, record =>
        {
            // A stray quote inside an unquoted value is text, as in Python's csv module; the rest is malformed.
            if (record.Reason is CsvMalformedReason.TextAfterClosingQuote or CsvMalformedReason.UnterminatedQuote)
            {
                malformed.Add(headerColumns > 0
                    ? (null, Malformed(record, result.Separator, passwordIndex, headerColumns))
                    : (new CsvMalformedRecord(record.RecordNumber, record.Reason, record.Skipped, record.ByteOffset, FirstLine(record.RawRecord), record.LineNumber), null));
            }
        });

        long row = 0;
        try
        {
            using var csv = CsvReader.Create(text, csvOptions, leaveOpen: true);
            var headerLength = System.Text.Encoding.UTF8.GetByteCount(string.Join(csv.Separator, csv.Headers)); // as unquoted: at most its line's length
            if (headerLength > UsersCsvLimits.MaxLineBytes)
            {
                result.FileErrors.Add(LineTooLong(0, excelHint ? 2 : 1, headerLength.ToString("N0", CultureInfo.InvariantCulture) + " bytes"));
                return;
            }

            var header = UsersCsvHeader.Parse(csv.Headers.ToArray(), options, excelHint ? 2 : 1);
            result.Separator = csv.Separator;
            result.Headers = header.Cells.Select(c => c.Text).ToList();
            result.Columns = header.Columns;
            result.FileErrors.AddRange(header.Errors);

            var validator = new UsersCsvRowValidator(header, csv.Separator, DateTime.UtcNow.Year);
            passwordIndex = header.IndexOf(UsersCsvFormat.Password);
            headerColumns = header.Cells.Count;
            while (header.Errors.Count == 0 && csv.Read())
            {
                row = csv.RowNumber;
                if (csv.RowNumber > UsersCsvLimits.MaxDataRows)
                {
                    result.FileErrors.Add(new ImportError
                    {
                        ErrorId = ImportErrorIds.TooManyRows,
                        Line = checked((int)csv.LineNumber),
                        Message = string.Create(CultureInfo.InvariantCulture,
                            $"The file has more than {UsersCsvLimits.MaxDataRows:N0} data rows, the most a users CSV may have; reading stopped at line {csv.LineNumber}. Is it the right file?"),
                    });
                    break;
                }

                if (csv.RawRecord.Length > UsersCsvLimits.MaxLineBytes)
                {
                    result.FileErrors.Add(LineTooLong(csv.RowNumber, csv.LineNumber, csv.RawRecord.Length.ToString("N0", CultureInfo.InvariantCulture) + " bytes"));
                    break;
                }

                var fields = new string[csv.FieldCount];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = csv.GetString(i);
                }

                var span = new CsvRecordSpan(csv.ByteOffset, csv.RawRecord.Length);
                var outcome = validator.Validate(checked((int)csv.RowNumber), checked((int)csv.LineNumber), fields, csv.RawRecord, span);
                result.Add(outcome);
            }
        }
        catch (CsvFormatException ex) when (ex.Message.Contains(nameof(CsvReaderOptions.MaxRecordSize), StringComparison.Ordinal))
        {
            // CsvHelper stops growing its buffer at the limit: the record is longer, and nothing after it can be read.
            result.FileErrors.Add(LineTooLong(ex.RecordNumber - 1, ex.LineNumber, "more than that"));
        }
        catch (CsvFormatException ex)
        {
            result.FileErrors.Add(new ImportError
            {
                ErrorId = ImportErrorIds.MalformedCsv,
                Line = ex.LineNumber > 0 ? checked((int)ex.LineNumber) : null,
                Message = "The file cannot be read as CSV: " + ex.Message,
            });
        }

        // Broken quoting comes first: it explains any header error it caused.
        result.FileErrors.InsertRange(0, malformed.Select(m => m.Error ?? Malformed(m.Record!.Value, result.Separator, passwordIndex, headerColumns)));
    }

    /// <summary>How much of the text's start the separator is told from (the header line is far shorter).</summary>
    private const int SniffBytes = 1 << 16;

    /// <summary>The first line of a record: all an error quotes of broken quoting.</summary>
    private static string FirstLine(string raw) => raw.IndexOfAny(['\r', '\n']) is var end and >= 0 ? raw[..end] : raw;

    /// <summary>A record longer than <see cref="UsersCsvLimits.MaxLineBytes"/>: reading stops there (row 0 is the header).</summary>
    private static ImportError LineTooLong(long row, long line, string size) => new()
    {
        ErrorId = ImportErrorIds.LineTooLong,
        Line = line > 0 ? checked((int)line) : null,
        Value = size,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"{(row > 0 ? $"Row {row}" : "The header")} (line {line}) is longer than {UsersCsvLimits.MaxLineBytes:N0} bytes ({size}), the longest a users CSV line may be "
            + $"(a Kolibri user's line is under 2,000 bytes); reading stopped there. A double quote that is never closed makes the rest of the file one line. Is it the right file?"),
    };

    private static ImportError Malformed(CsvMalformedRecord record, char separator, int passwordIndex, int headerColumns)
    {
        var what = record.Reason == CsvMalformedReason.UnterminatedQuote
            ? "a quoted value is never closed (a double quote opens it and no closing double quote follows before the end of the file)"
            : "text follows the closing double quote of a quoted value";
        return new ImportError
        {
            ErrorId = ImportErrorIds.MalformedCsv,
            Line = record.LineNumber > 0 ? checked((int)record.LineNumber) : null,
            // The header may not be read yet (broken quoting in it): then every field of the line may be a password.
            Value = headerColumns == 0
                ? ShownText.Record(record.RawRecord, separator, 0, 1, firstLineOnly: true)
                : ShownText.Record(record.RawRecord, separator, passwordIndex, headerColumns, firstLineOnly: true),
            Message = $"The CSV quoting is broken on line {record.LineNumber}: {what}. A double quote inside a quoted value must be doubled (\"\").",
        };
    }

    /// <summary>Collects what the reader found; a file or header error leaves no row valid.</summary>
    private sealed class Builder(string? path)
    {
        private readonly List<ImportRow> rows = [];
        private readonly List<RejectedRow> rejected = [];

        public string Sha256 { get; set; } = "";
        public CsvRecordSource? Source { get; set; }
        public string Encoding { get; set; } = CsvDecodingStream.Utf8NoBom;
        public char Separator { get; set; } = ',';
        public IReadOnlyList<string> Headers { get; set; } = [];
        public IReadOnlyList<string> Columns { get; set; } = [];
        public List<ImportError> FileErrors { get; } = [];
        public bool LastLineUnterminated { get; set; }

        public void Add(RowOutcome outcome)
        {
            if (outcome.Row is not null)
            {
                rows.Add(outcome.Row);
            }
            else
            {
                rejected.Add(outcome.Rejected!);
            }
        }

        /// <summary>A problem that makes every other one moot (the bytes are not text, the file is empty).</summary>
        public UsersCsvDocument FailOnly(ImportError error)
        {
            FileErrors.Clear();
            return Fail(error);
        }

        public UsersCsvDocument Fail(ImportError error)
        {
            FileErrors.Add(error);
            return Build();
        }

        public UsersCsvDocument Build()
        {
            var fileError = FileErrors.Count > 0;
            return new UsersCsvDocument
            {
                Sha256 = Sha256,
                Path = path,
                Source = fileError ? null : Source,
                Encoding = Encoding,
                Separator = Separator,
                Headers = Headers,
                Columns = Columns,
                Rows = fileError ? [] : rows,
                Rejected = fileError ? [] : rejected,
                Errors = fileError ? FileErrors : rejected.SelectMany(r => r.Errors).ToList(),
                LastLineUnterminated = LastLineUnterminated,
            };
        }
    }
}
