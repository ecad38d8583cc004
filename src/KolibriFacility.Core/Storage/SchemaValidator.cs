using System.Data.Common;

namespace KolibriFacility.Core.Storage;

/// <summary>Checks that a database has the Kolibri 0.17 tables and columns the module addresses by name.</summary>
internal static class SchemaValidator
{
    public static void Validate(DbConnection connection, SqlDialect dialect, string path, string kind)
    {
        var tables = ReadTables(connection, dialect);
        if (!tables.Contains("kolibriauth_facilityuser") && !tables.Contains("kolibriauth_collection"))
        {
            throw new KolibriDatabaseException(
                DatabaseProblem.NotADatabase,
                path,
                $"'{path}' is {kind} but not a Kolibri database: it has no kolibriauth tables.");
        }

        var problems = new List<string>();
        foreach (var (table, columns) in SchemaRequirements.Core)
        {
            if (!tables.Contains(table))
            {
                problems.Add($"table {table} is missing");
                continue;
            }

            var present = ReadColumns(connection, dialect, table);
            var missing = columns.Where(c => !present.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                problems.Add($"{table} lacks {string.Join(", ", missing)}");
            }
        }

        if (problems.Count > 0)
        {
            throw new KolibriDatabaseException(
                DatabaseProblem.UnsupportedSchema,
                path,
                $"'{path}' has a Kolibri schema this module does not support (it needs Kolibri 0.16 or later; 0.17 is tested): {string.Join("; ", problems)}.");
        }
    }

    /// <summary>The database's table names (SQLite's own sqlite_* tables included); inside a transaction pass it.</summary>
    internal static HashSet<string> ReadTables(DbConnection connection, DbTransaction? transaction = null) =>
        ReadTables(connection, SqlDialect.Of(connection), transaction);

    internal static HashSet<string> ReadColumns(DbConnection connection, string table, DbTransaction? transaction = null) =>
        ReadColumns(connection, SqlDialect.Of(connection), table, transaction);

    private static HashSet<string> ReadTables(DbConnection connection, SqlDialect dialect, DbTransaction? transaction = null)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        using var command = dialect.CreateCommand(connection);
        command.Transaction = transaction;
        command.CommandText = dialect.TablesQuery;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }

    private static HashSet<string> ReadColumns(DbConnection connection, SqlDialect dialect, string table, DbTransaction? transaction = null)
    {
        var result = new HashSet<string>(StringComparer.Ordinal);
        using var command = dialect.CreateCommand(connection);
        command.Transaction = transaction;
        command.CommandText = dialect.ColumnsQuery;
        command.Parameters.AddWithValue("$table", table);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            result.Add(reader.GetString(0));
        }

        return result;
    }
}
