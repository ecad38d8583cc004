using System.Globalization;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// The one place that binds parameters the module builds SQL text around, so that the SQL dialect (SQLite's
/// <c>$name</c> parameters, its limit on bound values) stays behind the storage layer.
/// </summary>
public static class SqlParameters
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
    public static string InList(DbCommand command, string prefix, IEnumerable<string> values)
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
    public static void Bind(DbCommand command, IEnumerable<(string Name, object? Value)> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    /// <summary>Binds a named value (null becomes SQL NULL) on any engine's command, as the providers' own AddWithValue does.</summary>
    public static DbParameter AddWithValue(this DbParameterCollection parameters, string name, object? value) => parameters switch
    {
        SqliteParameterCollection sqlite => sqlite.AddWithValue(name, value ?? DBNull.Value),
        Npgsql.NpgsqlParameterCollection postgres => postgres.AddWithValue(name, value ?? DBNull.Value),
        _ => throw new NotSupportedException($"No parameter binding for {parameters?.GetType().Name}."),
    };

    /// <summary>Adds a text parameter whose value is set before each execution (prepared statements).</summary>
    public static DbParameter AddText(this DbCommand command, string name)
    {
        ArgumentNullException.ThrowIfNull(command);
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = System.Data.DbType.String;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>Another connection holds the lock this statement needs (SQLITE_BUSY, or SQLITE_LOCKED within a shared cache).</summary>
    public static bool IsBusy(DbException exception) => DbFailures.Classify(exception) == DbFailure.Busy;
}
