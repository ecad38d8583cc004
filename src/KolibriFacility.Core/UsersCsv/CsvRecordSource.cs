using System.Security.Cryptography;
using CsvHelper;
using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>Where a data row sits in the text of its file: the UTF-8 offset (after any byte order mark) and length of its record, line break excluded.</summary>
internal readonly record struct CsvRecordSpan(long Offset, int Length);

/// <summary>
/// The file a users CSV was read from, kept so that rows can be read again by position instead of being held in
/// memory: the rejected-rows file copies the rows it writes back from it, byte for byte as they were parsed. The
/// bytes must still be the ones read: their SHA-256 is checked before anything is copied.
/// </summary>
internal sealed class CsvRecordSource(Func<Stream> open, string sha256, string? path, char separator)
{
    private string Name => path ?? "(stream)";

    private char Separator => separator;

    public static CsvRecordSource OfFile(string path, string sha256, char separator) =>
        new(() => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), sha256, path, separator);

    public static CsvRecordSource OfBytes(byte[] bytes, int length, string sha256, char separator) =>
        new(() => new MemoryStream(bytes, 0, length, writable: false), sha256, null, separator);

    /// <summary>Opens the file for reading rows in file order.</summary>
    /// <exception cref="ImportConflictException">The file is not the one read any more.</exception>
    public Reader Open()
    {
        using (var stream = open())
        {
            Check(Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant());
        }

        var file = open();
        return new Reader(this, file, new CsvDecodingStream(file, long.MaxValue));
    }

    private void Check(string now)
    {
        if (!string.Equals(now, sha256, StringComparison.Ordinal))
        {
            throw new ImportConflictException(
                $"The file '{Name}' changed since it was read (its SHA-256 was {sha256}, it is now {now}): its rejected rows cannot be copied from it. "
                + "Read the file again (plan the import again) before writing the rejected rows.");
        }
    }

    /// <summary>Reads rows forward through the file's text; <see cref="Complete"/> checks that the bytes did not change meanwhile.</summary>
    public sealed class Reader(CsvRecordSource source, Stream file, CsvDecodingStream text) : IDisposable
    {
        private readonly byte[] skip = new byte[1 << 16];
        private long position;

        /// <summary>The fields of the record at <paramref name="span"/>, parsed as the reader parsed them; spans must come in file order.</summary>
        public string[] Fields(CsvRecordSpan span)
        {
            if (span.Offset < position)
            {
                throw new InvalidOperationException("Rows are read again in file order.");
            }

            while (position < span.Offset)
            {
                var read = text.Read(skip, 0, (int)Math.Min(skip.Length, span.Offset - position));
                if (read == 0)
                {
                    throw Changed();
                }

                position += read;
            }

            var record = new byte[span.Length];
            if (text.ReadAtLeast(record, record.Length, throwOnEndOfStream: false) != record.Length)
            {
                throw Changed();
            }

            position += record.Length;
            using var csv = CsvReader.Create(record, UsersCsvReader.CsvOptions(source.Separator, excelHint: false, hasHeader: false, onMalformed: null));
            if (!csv.Read())
            {
                return [];
            }

            var fields = new string[csv.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = csv.GetString(i);
            }

            return fields;
        }

        /// <summary>Reads the rest of the file and checks its SHA-256 again: the rows copied came from the file that was read.</summary>
        /// <exception cref="ImportConflictException">The file changed while it was read.</exception>
        public void Complete()
        {
            text.Finish();
            source.Check(text.Sha256);
        }

        private ImportConflictException Changed()
        {
            text.Finish();
            return new ImportConflictException($"The file '{source.Name}' changed while its rejected rows were copied from it (it is shorter now). Read the file again before writing the rejected rows.");
        }

        public void Dispose()
        {
            text.Dispose();
            file.Dispose();
        }
    }
}
