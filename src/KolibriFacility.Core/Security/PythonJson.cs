using System.Globalization;
using System.Text;

namespace KolibriFacility.Core.Security;

/// <summary>
/// JSON text exactly as Python's json.dumps writes it with default arguments: ", " and ": " separators and
/// ensure_ascii (non-ASCII as \uXXXX, no escaping of '/', '&lt;', '&gt;', '&amp;', '+' or quotes other than '"').
/// Morango signs and compares such strings byte for byte, so System.Text.Json's escaping rules cannot be used.
/// </summary>
public static class PythonJson
{
    public static string StringOf(string? value)
    {
        if (value is null)
        {
            return "null";
        }

        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append('"').ToString();
    }

    public static string NumberOf(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>An object from already-encoded values, in the given order.</summary>
    public static string ObjectOf(params (string Name, string EncodedValue)[] members) =>
        "{" + string.Join(", ", members.Select(m => StringOf(m.Name) + ": " + m.EncodedValue)) + "}";

    public static string ArrayOf(IEnumerable<string> encodedItems) => "[" + string.Join(", ", encodedItems) + "]";
}
