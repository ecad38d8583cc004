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
            return new Builder(Hex(SHA256.HashData(ReadOnlySpan<byte>.Empty)), full).Fail(new ImportError
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
            return new Builder(Hex(SHA256.HashData(ReadOnlySpan<byte>.Empty)), full).Fail(new ImportError
            {
                ErrorId = ImportErrorIds.FileEmpty,
                Message = $"'{full}' has no bytes to read: it is empty, or it is not a regular file (a named pipe, a device such as /dev/zero, a socket), which cannot be imported. "
                    + "A users CSV is a file with a header line (such as USERNAME,PASSWORD,FULL_NAME,USER_TYPE) and a line per user.",
            });
        }

        if (file.Length > UsersCsvLimits.MaxFileBytes)
        {
            using var stream = file.OpenRead();
            return new Builder(Hex(SHA256.HashData(stream)), full).Fail(TooLarge(file.Length.ToString("N0", CultureInfo.InvariantCulture) + " bytes"));
        }

        return Read(File.ReadAllBytes(full), options ?? new UsersCsvReadOptions(), full);
    }

    /// <summary>Reads the stream from its current position, up to <see cref="UsersCsvLimits.MaxFileBytes"/>; the stream is not closed.</summary>
    public static UsersCsvDocument Read(Stream stream, UsersCsvReadOptions? options = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        var chunk = new byte[1 << 16];
        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > UsersCsvLimits.MaxFileBytes)
            {
                return new Builder(Hex(SHA256.HashData(buffer.ToArray())), path).Fail(TooLarge("more than that"));
            }
        }

        return Read(buffer.ToArray(), options ?? new UsersCsvReadOptions(), path);
    }

    private static ImportError TooLarge(string size) => new()
    {
        ErrorId = ImportErrorIds.FileTooLarge,
        Value = size,
        Message = string.Create(CultureInfo.InvariantCulture,
            $"The file is too large for a users CSV ({size}; the limit is {UsersCsvLimits.MaxFileBytes:N0} bytes, and a 100,000-user export is about 15 MB). Is it the right file?"),
    };

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();

    private static UsersCsvDocument Read(byte[] bytes, UsersCsvReadOptions options, string? path)
    {
        var result = new Builder(Hex(SHA256.HashData(bytes)), path);
        var decoded = CsvTextDecoder.Decode(bytes);
        result.Encoding = decoded.EncodingName;
        if (decoded.Error is not null)
        {
            return result.Fail(decoded.Error);
        }

        var text = decoded.Utf8.Span.StartsWith("\uFEFF"u8) ? decoded.Utf8[3..] : decoded.Utf8;
        result.LastLineUnterminated = LastLineUnterminated(text.Span);
        if (text.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            return result.Fail(new ImportError
            {
                ErrorId = ImportErrorIds.FileEmpty,
                Message = "The file is empty: a users CSV needs a header line (such as USERNAME,PASSWORD,FULL_NAME,USER_TYPE) and a line per user.",
            });
        }

        // Excel's "sep=;" first line names the separator; CsvHelper skips it and still counts it as line 1.
        var excelHint = CsvSeparatorSniffer.HasExcelHint(text.Span);
        result.Separator = excelHint ? ',' : CsvSeparatorSniffer.FromHeaderLine(text.Span);
        var malformed = new List<CsvMalformedRecord>();
        var passwordIndex = -1;
        var headerColumns = 0;
        var csvOptions = new CsvReaderOptions
        {
            Separator = excelHint ? null : result.Separator,
            DetectSeparatorHint = excelHint,
            HasHeader = true,
            Mode = CsvMode.Rfc4180,
            TrackLineNumbers = true,
            SkipEmptyLines = true,
            AllowLineBreaksInQuotes = true,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = record =>
            {
                // A stray quote inside an unquoted value is text, as in Python's csv module; the rest is malformed.
                if (record.Reason is CsvMalformedReason.TextAfterClosingQuote or CsvMalformedReason.UnterminatedQuote)
                {
                    malformed.Add(record);
                }
            },
        };

        try
        {
            using var csv = CsvReader.Create(text, csvOptions);
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

                var fields = new string[csv.FieldCount];
                for (var i = 0; i < fields.Length; i++)
                {
                    fields[i] = csv.GetString(i);
                }

                var outcome = validator.Validate(checked((int)csv.RowNumber), checked((int)csv.LineNumber), fields, csv.RawRecord);
                result.Add(outcome);
            }
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
        result.FileErrors.InsertRange(0, malformed.Select(m => Malformed(m, result.Separator, passwordIndex, headerColumns)));
        return result.Build();
    }

    /// <summary>A file whose last line has no line break although its other lines have one: how a cut-off copy ends.</summary>
    private static bool LastLineUnterminated(ReadOnlySpan<byte> text)
    {
        var trimmed = text.TrimEnd(" \t"u8);
        return trimmed.Length > 0 && trimmed[^1] is not ((byte)'\r' or (byte)'\n') && trimmed.IndexOfAny("\r\n"u8) >= 0;
    }

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
    private sealed class Builder(string sha256, string? path)
    {
        private readonly List<ImportRow> rows = [];
        private readonly List<RejectedRow> rejected = [];

        public string Encoding { get; set; } = CsvTextDecoder.Utf8NoBom;
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
                Sha256 = sha256,
                Path = path,
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
