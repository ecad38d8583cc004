using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>The text of a CSV file as UTF-8 without a byte order mark and the encoding it was written in, or why its bytes are not text.</summary>
internal sealed record DecodedCsv(ReadOnlyMemory<byte> Utf8, string EncodingName, ImportError? Error);

/// <summary>
/// Turns the bytes of a CSV file into text: UTF-8 with or without a byte order mark, or UTF-16 LE/BE with one.
/// Invalid bytes are an error naming their offset and line instead of being replaced silently, so a file saved as
/// ANSI/Latin-1 by a spreadsheet is caught before a name is stored garbled.
/// </summary>
internal static class CsvTextDecoder
{
    // PowerShell's -Encoding names, which the module's users know.
    public const string Utf8Bom = "utf8BOM";
    public const string Utf8NoBom = "utf8NoBOM";
    public const string Utf16LittleEndian = "unicode";
    public const string Utf16BigEndian = "bigendianunicode";

    public static DecodedCsv Decode(byte[] bytes)
    {
        if (bytes.AsSpan().StartsWith(new byte[] { 0xFF, 0xFE, 0x00, 0x00 }))
        {
            return Fail("utf32", 1, 0, "The file is UTF-32, which is not supported: save it as UTF-8 (Excel: 'CSV UTF-8').");
        }

        if (bytes.AsSpan().StartsWith(new byte[] { 0xFF, 0xFE }))
        {
            return DecodeUtf16(bytes, bigEndian: false);
        }

        if (bytes.AsSpan().StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            return DecodeUtf16(bytes, bigEndian: true);
        }

        var hasBom = bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF });
        return DecodeUtf8(bytes, hasBom ? 3 : 0, hasBom ? Utf8Bom : Utf8NoBom);
    }

    private static DecodedCsv DecodeUtf8(byte[] bytes, int start, string encodingName)
    {
        var body = bytes.AsSpan(start);
        var nul = body.IndexOf((byte)0);
        if (nul >= 0)
        {
            var offset = start + nul;
            var line = LineAt(bytes, offset);
            return Fail(encodingName, line, offset,
                $"The file contains a NUL byte at byte offset {offset} (line {line}): it is probably UTF-16 without a byte order mark, "
                + "which cannot be recognised. Save it as UTF-8 (Excel: 'CSV UTF-8').");
        }

        if (Utf8.IsValid(body))
        {
            return new DecodedCsv(bytes.AsMemory(start), encodingName, null);
        }

        Utf8.ToUtf16(body, new char[body.Length], out var read, out _, replaceInvalidSequences: false);
        var invalid = start + read;
        var invalidLine = LineAt(bytes, invalid);
        return Fail(encodingName, invalidLine, invalid,
            $"The file is not valid UTF-8: the byte 0x{bytes[invalid]:X2} at byte offset {invalid} (line {invalidLine}) is not UTF-8 text. "
            + "It was probably saved in another encoding (such as ANSI or Latin-1): save it as UTF-8 (Excel: 'CSV UTF-8').");
    }

    // Hand-written rather than a throwing UnicodeEncoding: its exception reports inconsistent offsets for lone surrogates.
    private static DecodedCsv DecodeUtf16(byte[] bytes, bool bigEndian)
    {
        var name = bigEndian ? Utf16BigEndian : Utf16LittleEndian;
        var units = new char[(bytes.Length - 2) / 2];
        for (var i = 0; i < units.Length; i++)
        {
            var b0 = bytes[2 + (2 * i)];
            var b1 = bytes[3 + (2 * i)];
            units[i] = (char)(bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0);
        }

        for (var i = 0; i < units.Length; i++)
        {
            if (char.IsHighSurrogate(units[i]) && i + 1 < units.Length && char.IsLowSurrogate(units[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(units[i]))
            {
                var offset = 2 + (2 * i);
                var line = LineIn(units, i);
                return Fail(name, line, offset, $"The file is not valid UTF-16: a broken surrogate pair at byte offset {offset} (line {line}).");
            }
        }

        if ((bytes.Length - 2) % 2 != 0)
        {
            var offset = bytes.Length - 1;
            return Fail(name, LineIn(units, units.Length), offset, $"The file is not valid UTF-16: it ends in the middle of a character (byte offset {offset}).");
        }

        return new DecodedCsv(Encoding.UTF8.GetBytes(units), name, null);
    }

    private static DecodedCsv Fail(string encodingName, int line, int offset, string message) =>
        new(ReadOnlyMemory<byte>.Empty, encodingName, new ImportError
        {
            ErrorId = ImportErrorIds.EncodingInvalid,
            Line = line,
            Value = "byte offset " + offset.ToString(CultureInfo.InvariantCulture),
            Message = message,
        });

    /// <summary>1-based line of a byte offset, counting CRLF, LF and lone CR as line breaks.</summary>
    private static int LineAt(byte[] bytes, int offset)
    {
        var line = 1;
        for (var i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == '\n' || (bytes[i] == '\r' && (i + 1 >= bytes.Length || bytes[i + 1] != '\n')))
            {
                line++;
            }
        }

        return line;
    }

    private static int LineIn(char[] units, int index)
    {
        var line = 1;
        for (var i = 0; i < index; i++)
        {
            if (units[i] == '\n' || (units[i] == '\r' && (i + 1 >= units.Length || units[i + 1] != '\n')))
            {
                line++;
            }
        }

        return line;
    }

}
