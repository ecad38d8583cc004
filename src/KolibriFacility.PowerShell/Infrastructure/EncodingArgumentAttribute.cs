using System.Collections;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Text;
using KolibriFacility.Core.Csv;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Turns the names PowerShell 7 uses for -Encoding (utf8 = no BOM, utf8BOM, utf8NoBOM, unicode, ...) or a code
/// page into a System.Text.Encoding. PowerShell's own transformation attribute is internal, so binary modules
/// carry their own.
/// </summary>
public sealed class EncodingArgumentAttribute : ArgumentTransformationAttribute
{
    internal static readonly string[] Names = ["utf8BOM", "utf8NoBOM", "utf8", "unicode", "bigendianunicode", "utf32", "bigendianutf32", "ascii", "latin1", "ansi", "oem"];

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            Encoding encoding => encoding,
            int codePage => Encoding.GetEncoding(codePage),
            string name => FromName(name),
            _ => throw new ArgumentTransformationMetadataException($"'{value}' is not an encoding. Use one of {string.Join(", ", Names)} or a code page number."),
        };
    }

    internal static Encoding FromName(string name) => name.ToLowerInvariant() switch
    {
        "utf8bom" => CsvEncodings.Utf8Bom,
        "utf8" or "utf8nobom" or "utf-8" => CsvEncodings.Utf8NoBom,
        "unicode" or "utf-16" or "utf16" => new UnicodeEncoding(bigEndian: false, byteOrderMark: true),
        "bigendianunicode" => new UnicodeEncoding(bigEndian: true, byteOrderMark: true),
        "utf32" => new UTF32Encoding(bigEndian: false, byteOrderMark: true),
        "bigendianutf32" => new UTF32Encoding(bigEndian: true, byteOrderMark: true),
        "ascii" => Encoding.ASCII,
        "latin1" => Encoding.Latin1,
        "ansi" => CodePage(CultureInfo.CurrentCulture.TextInfo.ANSICodePage),
        "oem" => CodePage(CultureInfo.CurrentCulture.TextInfo.OEMCodePage),
        _ when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var codePage) => CodePage(codePage),
        _ => Named(name),
    };

    private static Encoding CodePage(int codePage)
    {
        try
        {
            return Encoding.GetEncoding(codePage);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new ArgumentTransformationMetadataException($"Code page {codePage} is not available on this system.", ex);
        }
    }

    private static Encoding Named(string name)
    {
        try
        {
            return Encoding.GetEncoding(name);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentTransformationMetadataException($"'{name}' is not an encoding. Use one of {string.Join(", ", Names)}, a code page number or an encoding name.", ex);
        }
    }
}

/// <summary>Offers the encoding names -Encoding accepts.</summary>
public sealed class EncodingCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters) =>
        EncodingArgumentAttribute.Names
            .Where(n => n.StartsWith(wordToComplete.Trim('\'', '"'), StringComparison.OrdinalIgnoreCase))
            .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, n));
}
