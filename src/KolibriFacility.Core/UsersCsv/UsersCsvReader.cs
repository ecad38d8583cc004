using System.Security.Cryptography;
using CsvHelper;

using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Reads a users CSV (Kolibri's bulkexportusers format, or a hand-made one) into a <see cref="UsersCsvDocument"/>:
/// every valid row normalised, every invalid row with all its errors, and every file and header problem, so that an
/// import can show them all at once. Bad content never throws; only an unreadable file does.
/// </summary>
public static class UsersCsvReader
{
    private const int MaxValueInError = 200;

    /// <exception cref="FileNotFoundException">The file, or its folder, does not exist.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">Reading the file is not allowed.</exception>
    public static UsersCsvDocument Read(string path, UsersCsvReadOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var full = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(full);
        }
        catch (DirectoryNotFoundException ex)
        {
            throw new FileNotFoundException($"The file '{full}' does not exist (its folder does not exist).", full, ex);
        }

        return Read(bytes, options ?? new UsersCsvReadOptions(), full);
    }

    /// <summary>Reads the whole stream from its current position; the stream is not closed.</summary>
    public static UsersCsvDocument Read(Stream stream, UsersCsvReadOptions? options = null, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Read(buffer.ToArray(), options ?? new UsersCsvReadOptions(), path);
    }

    private static UsersCsvDocument Read(byte[] bytes, UsersCsvReadOptions options, string? path)
    {
        var result = new Builder(Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant(), path);
        var decoded = CsvTextDecoder.Decode(bytes);
        result.Encoding = decoded.EncodingName;
        if (decoded.Error is not null)
        {
            return result.Fail(decoded.Error);
        }

        var text = decoded.Utf8.Span.StartsWith("\uFEFF"u8) ? decoded.Utf8[3..] : decoded.Utf8;
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

            var validator = new UsersCsvRowValidator(header, DateTime.UtcNow.Year);
            while (header.Errors.Count == 0 && csv.Read())
            {
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
        result.FileErrors.InsertRange(0, malformed.Select(Malformed));
        return result.Build();
    }

    private static ImportError Malformed(CsvMalformedRecord record)
    {
        var what = record.Reason == CsvMalformedReason.UnterminatedQuote
            ? "a quoted value is never closed (a double quote opens it and no closing double quote follows before the end of the file)"
            : "text follows the closing double quote of a quoted value";
        return new ImportError
        {
            ErrorId = ImportErrorIds.MalformedCsv,
            Line = record.LineNumber > 0 ? checked((int)record.LineNumber) : null,
            Value = Shorten(record.RawRecord),
            Message = $"The CSV quoting is broken on line {record.LineNumber}: {what}. A double quote inside a quoted value must be doubled (\"\").",
        };
    }

    private static string Shorten(string value) => value.Length <= MaxValueInError ? value : value[..MaxValueInError] + "...";

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
            };
        }
    }
}
