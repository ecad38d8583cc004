using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using KolibriFacility.Core.Import;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Reads the bytes of a CSV file as a stream of UTF-8 text without a byte order mark, chunk by chunk: UTF-8 with or
/// without a byte order mark (passed through once validated), or UTF-16 LE/BE with one (transcoded). The encoding is
/// told from the file's first bytes. Invalid bytes end the text with an <see cref="Error"/> naming their offset and
/// line instead of being replaced silently, so a file saved as ANSI/Latin-1 by a spreadsheet is caught before a name
/// is stored garbled. Every byte of the file goes through a SHA-256 on the way (plans bind to it): after
/// <see cref="Finish"/> it is the hash of the whole file. Positions in the text (CsvHelper's ByteOffset) are the
/// same in every pass over the same bytes, which is how the rejected-rows file finds a row again.
/// </summary>
internal sealed class CsvDecodingStream : Stream
{
    // PowerShell's -Encoding names, which the module's users know.
    public const string Utf8Bom = "utf8BOM";
    public const string Utf8NoBom = "utf8NoBOM";
    public const string Utf16LittleEndian = "unicode";
    public const string Utf16BigEndian = "bigendianunicode";

    private const int ChunkBytes = 1 << 16;

    private readonly Stream source;
    private readonly long maxBytes;
    private readonly IncrementalHash hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly byte[] input = new byte[ChunkBytes];
    private readonly bool utf16;
    private readonly bool bigEndian;
    private char[] chars = new char[ChunkBytes];
    private byte[] output = new byte[ChunkBytes * 2];
    private int inputStart;
    private int inputEnd;
    private int outputStart;
    private int outputEnd;
    private long inputOffset;   // file offset of input[inputStart]
    private long bytesRead;
    private bool sourceDone;
    private bool textStarted;
    private long lines = 1;
    private bool lastWasCr;
    private byte lastSignificant;
    private bool sawLineBreak;
    private bool hasContent;
    private string? sha256;

    /// <param name="maxBytes">The most bytes read from <paramref name="source"/>: past that the text ends and <see cref="TooLarge"/> is set.</param>
    public CsvDecodingStream(Stream source, long maxBytes)
    {
        this.source = source;
        this.maxBytes = maxBytes;
        while (inputEnd < 4 && FillInput())
        {
        }

        var head = input.AsSpan(0, inputEnd);
        if (head.StartsWith(new byte[] { 0xFF, 0xFE, 0x00, 0x00 }))
        {
            EncodingName = "utf32";
            Fail(1, 0, "The file is UTF-32, which is not supported: save it as UTF-8 (Excel: 'CSV UTF-8').");
        }
        else if (head.StartsWith(new byte[] { 0xFF, 0xFE }) || head.StartsWith(new byte[] { 0xFE, 0xFF }))
        {
            utf16 = true;
            bigEndian = head[0] == 0xFE;
            EncodingName = bigEndian ? Utf16BigEndian : Utf16LittleEndian;
            Skip(2);
        }
        else if (head.StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }))
        {
            EncodingName = Utf8Bom;
            Skip(3);
        }
        else
        {
            EncodingName = Utf8NoBom;
        }
    }

    /// <summary>The encoding, by its PowerShell -Encoding name (utf32 for a refused UTF-32 file).</summary>
    public string EncodingName { get; }

    /// <summary>Why the bytes are not text (EncodingInvalid), or null; the text ends where the problem is.</summary>
    public ImportError? Error { get; private set; }

    /// <summary>The source had more bytes than allowed; the text ends there.</summary>
    public bool TooLarge { get; private set; }

    /// <summary>The text so far holds a character other than space, tab, CR or LF.</summary>
    public bool SawContent => hasContent;

    /// <summary>The text's last line has no line break although its other lines have one: how a cut-off copy ends.</summary>
    public bool LastLineUnterminated => sawLineBreak && hasContent && lastSignificant is not ((byte)'\r' or (byte)'\n');

    /// <summary>Lowercase hex SHA-256 of every byte read from the source; complete after <see cref="Finish"/>.</summary>
    public string Sha256 => sha256 ?? throw new InvalidOperationException("The file has not been read to its end.");

    /// <summary>
    /// The text the stream will return next, at least <paramref name="length"/> bytes of it unless the text ends first
    /// (nothing is consumed): the separator is told from it.
    /// </summary>
    public ReadOnlySpan<byte> Peek(int length)
    {
        while (outputEnd - outputStart < length && Decode())
        {
        }

        return output.AsSpan(outputStart, outputEnd - outputStart);
    }

    /// <summary>Reads the rest of the source: the text is still checked (an encoding error anywhere is found) and the hash completed.</summary>
    public void Finish()
    {
        outputStart = outputEnd;
        while (Decode())
        {
            outputStart = outputEnd;
        }

        // What follows an encoding error or the size limit is hashed, not decoded.
        while (FillInput())
        {
            inputStart = inputEnd;
        }

        sha256 ??= Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        while (outputStart == outputEnd)
        {
            if (!Decode())
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, outputEnd - outputStart);
        output.AsSpan(outputStart, n).CopyTo(buffer);
        outputStart += n;
        return n;
    }

    /// <summary>Decodes what the input holds into the output (after what is there); false when the text has ended.</summary>
    private bool Decode()
    {
        if (Error is not null || TooLarge)
        {
            return false;
        }

        if (inputEnd - inputStart < 4 && !sourceDone)
        {
            FillInput();
            if (TooLarge)
            {
                return false;
            }
        }

        if (inputStart == inputEnd && sourceDone)
        {
            return false;
        }

        if (outputStart == outputEnd)
        {
            outputStart = outputEnd = 0;
        }

        var before = outputEnd;
        if (utf16)
        {
            DecodeUtf16();
        }
        else
        {
            DecodeUtf8();
        }

        Observe(before);
        return Error is null || outputEnd > before || outputStart < outputEnd;
    }

    private void DecodeUtf8()
    {
        var span = input.AsSpan(inputStart, inputEnd - inputStart);
        EnsureOutput(span.Length);
        var status = Utf8.ToUtf16(span, Chars(span.Length), out var read, out _, replaceInvalidSequences: false, isFinalBlock: sourceDone);
        var valid = status == OperationStatus.Done ? span.Length : read;
        var nul = span.IndexOf((byte)0);
        if (nul >= 0 && (nul < valid || status == OperationStatus.InvalidData))
        {
            var offset = inputOffset + nul;
            var line = LineAfter(span[..nul]);
            Fail(line, offset, $"The file contains a NUL byte at byte offset {offset} (line {line}): it is probably UTF-16 without a byte order mark, "
                + "which cannot be recognised. Save it as UTF-8 (Excel: 'CSV UTF-8').");
            Emit(span[..nul]);
            return;
        }

        Emit(span[..valid]);
        Skip(valid);
        if (status == OperationStatus.InvalidData)
        {
            var offset = inputOffset;
            var line = lines;
            Fail(line, offset, $"The file is not valid UTF-8: the byte 0x{input[inputStart]:X2} at byte offset {offset} (line {line}) is not UTF-8 text. "
                + "It was probably saved in another encoding (such as ANSI or Latin-1): save it as UTF-8 (Excel: 'CSV UTF-8').");
        }
    }

    // Hand-written rather than a throwing UnicodeEncoding: its exception reports inconsistent offsets for lone surrogates.
    private void DecodeUtf16()
    {
        var available = (inputEnd - inputStart) / 2;
        var units = Chars(available);
        for (var i = 0; i < available; i++)
        {
            var b0 = input[inputStart + (2 * i)];
            var b1 = input[inputStart + (2 * i) + 1];
            units[i] = (char)(bigEndian ? (b0 << 8) | b1 : (b1 << 8) | b0);
        }

        var count = 0;
        int? broken = null;
        while (count < available)
        {
            if (char.IsHighSurrogate(units[count]) && count + 1 < available && char.IsLowSurrogate(units[count + 1]))
            {
                count += 2;
            }
            else if (char.IsHighSurrogate(units[count]) && count + 1 == available && !sourceDone)
            {
                break; // its pair is in the next chunk
            }
            else if (char.IsSurrogate(units[count]))
            {
                broken = count;
                break;
            }
            else
            {
                count++;
            }
        }

        EnsureOutput(count * 3);
        var before = outputEnd;
        outputEnd += Encoding.UTF8.GetBytes(units[..count], output.AsSpan(outputEnd));
        CountLines(output.AsSpan(before, outputEnd - before));
        Skip(count * 2);
        if (broken is not null)
        {
            Fail(lines, inputOffset, $"The file is not valid UTF-16: a broken surrogate pair at byte offset {inputOffset} (line {lines}).");
        }
        else if (sourceDone && inputEnd - inputStart == 1)
        {
            Fail(lines, inputOffset, $"The file is not valid UTF-16: it ends in the middle of a character (byte offset {inputOffset}).");
        }
    }

    /// <summary>Copies validated UTF-8 to the output.</summary>
    private void Emit(ReadOnlySpan<byte> text)
    {
        EnsureOutput(text.Length);
        text.CopyTo(output.AsSpan(outputEnd));
        CountLines(text);
        outputEnd += text.Length;
    }

    /// <summary>
    /// Keeps what the rest of the reader needs to know about the text returned so far; a byte order mark at the very
    /// start of the text is dropped (some tools write it twice).
    /// </summary>
    private void Observe(int from)
    {
        if (!textStarted && outputEnd > from)
        {
            textStarted = true;
            if (output.AsSpan(from, outputEnd - from).StartsWith("\uFEFF"u8))
            {
                output.AsSpan(from + 3, outputEnd - from - 3).CopyTo(output.AsSpan(from));
                outputEnd -= 3;
            }
        }

        var text = output.AsSpan(from, outputEnd - from);
        sawLineBreak |= text.IndexOfAny("\r\n"u8) >= 0;
        hasContent |= text.IndexOfAnyExcept(" \t\r\n"u8) >= 0;
        var last = text.LastIndexOfAnyExcept(" \t"u8);
        if (last >= 0)
        {
            lastSignificant = text[last];
        }
    }

    /// <summary>Lines counted as before: CRLF, LF and a lone CR each end a line.</summary>
    private void CountLines(ReadOnlySpan<byte> text)
    {
        foreach (var b in text)
        {
            if (b == '\r' || (b == '\n' && !lastWasCr))
            {
                lines++;
            }

            lastWasCr = b == '\r';
        }
    }

    private long LineAfter(ReadOnlySpan<byte> text)
    {
        var (saved, savedCr) = (lines, lastWasCr);
        CountLines(text);
        var line = lines;
        (lines, lastWasCr) = (saved, savedCr);
        return line;
    }

    private Span<char> Chars(int length)
    {
        if (chars.Length < length)
        {
            chars = new char[length];
        }

        return chars.AsSpan(0, length);
    }

    private void EnsureOutput(int more)
    {
        if (output.Length - outputEnd < more)
        {
            Array.Resize(ref output, Math.Max(output.Length * 2, outputEnd + more));
        }
    }

    private void Skip(int count)
    {
        inputStart += count;
        inputOffset += count;
    }

    /// <summary>Reads more of the source after what the input holds; false at its end.</summary>
    private bool FillInput()
    {
        if (sourceDone)
        {
            return false;
        }

        if (inputStart > 0)
        {
            input.AsSpan(inputStart, inputEnd - inputStart).CopyTo(input);
            inputEnd -= inputStart;
            inputStart = 0;
        }

        var read = source.Read(input, inputEnd, input.Length - inputEnd);
        if (read == 0)
        {
            sourceDone = true;
            return false;
        }

        hash.AppendData(input, inputEnd, read);
        inputEnd += read;
        bytesRead += read;
        if (bytesRead > maxBytes)
        {
            TooLarge = true;
        }

        return true;
    }

    private void Fail(long line, long offset, string message) =>
        Error = new ImportError
        {
            ErrorId = ImportErrorIds.EncodingInvalid,
            Line = checked((int)line),
            Value = "byte offset " + offset.ToString(CultureInfo.InvariantCulture),
            Message = message,
        };

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            hash.Dispose();
        }

        base.Dispose(disposing);
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
