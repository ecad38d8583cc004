using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// The one place that binds parameters the module builds SQL text around, so that the SQL dialect (SQLite's
/// <c>$name</c> parameters, its limit on bound values) stays behind the storage layer.
/// </summary>
internal static class SqlParameters
{
    /// <summary>
    /// How many values one statement binds at most. SQLite allows 32,766 (999 before 3.32), PostgreSQL 65,535;
    /// 400 keeps every statement far below both and the statement text short.
    /// </summary>
    public const int BatchSize = 400;

    /// <summary>
    /// Binds <paramref name="values"/> as <c>$prefix0</c>, <c>$prefix1</c>, ... and returns the text that goes
    /// inside <c>IN (...)</c>; for no values <c>NULL</c>, which matches no row.
    /// </summary>
    public static string InList(SqliteCommand command, string prefix, IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(command);
        var names = new List<string>();
        foreach (var value in values)
        {
            var name = "$" + prefix + names.Count.ToString(CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, value);
            names.Add(name);
        }

        return names.Count == 0 ? "NULL" : string.Join(", ", names);
    }

    /// <summary>Binds named values; null becomes SQL NULL.</summary>
    public static void Bind(SqliteCommand command, IEnumerable<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    /// <summary>Another connection holds the lock this statement needs (SQLITE_BUSY, or SQLITE_LOCKED within a shared cache).</summary>
    public static bool IsBusy(SqliteException exception) => exception?.SqliteErrorCode is 5 or 6;
}
