using System.Text;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>Builds small users CSV files in memory for the reader tests.</summary>
internal static class UsersCsvText
{
    public const string MachineHeader = "UUID,USERNAME,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO";

    public static readonly string[] Columns = MachineHeader.Split(',');

    /// <summary>A valid row for the machine-name header, with some cells replaced (column name => value).</summary>
    public static string Row(string username = "good", params (string Column, string Value)[] changes)
    {
        var values = new Dictionary<string, string>
        {
            ["UUID"] = "",
            ["USERNAME"] = username,
            ["PASSWORD"] = "pw",
            ["FULL_NAME"] = "Good Name",
            ["USER_TYPE"] = "LEARNER",
            ["IDENTIFIER"] = "",
            ["BIRTH_YEAR"] = "2000",
            ["GENDER"] = "",
            ["ENROLLED_IN"] = "",
            ["ASSIGNED_TO"] = "",
        };
        foreach (var (column, value) in changes)
        {
            values[column] = value;
        }

        return Line(Columns.Select(c => values[c]).ToArray());
    }

    /// <summary>One CSV line with Python's minimal quoting.</summary>
    public static string Line(params string[] fields) => Line(',', fields);

    public static string Line(char separator, params string[] fields) =>
        string.Join(separator, fields.Select(f => f.IndexOfAny([separator, '"', '\r', '\n']) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f));

    public static string File(params string[] lines) => string.Join("\r\n", lines) + "\r\n";

    public static UsersCsvDocument Read(string text, UsersCsvReadOptions? options = null) => Read(Encoding.UTF8.GetBytes(text), options);

    public static UsersCsvDocument Read(byte[] bytes, UsersCsvReadOptions? options = null)
    {
        using var stream = new MemoryStream(bytes);
        return UsersCsvReader.Read(stream, options);
    }

    public static byte[] Encode(string text, Encoding encoding) => [.. encoding.GetPreamble(), .. encoding.GetBytes(text)];
}
