using System.Text;

namespace KolibriFacility.Core.Csv;

/// <summary>Encodings for CSV files; Kolibri reads and writes UTF-8 with a BOM.</summary>
public static class CsvEncodings
{
    public static readonly Encoding Utf8Bom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);
    public static readonly Encoding Utf8NoBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The default for every CSV this module writes: what Kolibri writes and Excel opens correctly.</summary>
    public static Encoding KolibriDefault => Utf8Bom;
}
