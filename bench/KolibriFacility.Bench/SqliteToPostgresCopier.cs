using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace KolibriFacility.Bench;

/// <summary>
/// Bench tooling, not part of the module: copies the rows of a Kolibri SQLite database (a sandbox) into a PostgreSQL
/// database that already has Kolibri's real PostgreSQL schema (restored from the fixture dump), so both engines can be
/// timed on the same data. Kolibri's tables that both have are truncated, then each is filled with a text COPY, column
/// by column by name (the column order differs between the engines). The text is what Kolibri's SQLite holds:
/// PostgreSQL's <c>uuid</c> accepts 32 hex digits, <c>boolean</c> accepts 0/1 and <c>timestamp with time zone</c>
/// accepts Django's naive-UTC text when the session's TimeZone is UTC. One transaction, so Kolibri's deferred foreign
/// keys are checked at the commit; then every serial sequence is set past the largest id and the database analysed.
/// </summary>
internal static class SqliteToPostgresCopier
{
    public static CopyResult Copy(string sqlitePath, string postgresConnectionString)
    {
        var total = Stopwatch.StartNew();
        using var sqlite = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = sqlitePath, Mode = SqliteOpenMode.ReadOnly }.ToString());
        sqlite.Open();
        var connection = new NpgsqlConnectionStringBuilder(postgresConnectionString) { Timezone = "UTC", Pooling = false, CommandTimeout = 0 };
        using var postgres = new NpgsqlConnection(connection.ConnectionString);
        postgres.Open();

        var sqliteTables = SqliteColumns(sqlite);
        var postgresTables = PostgresColumns(postgres);
        var common = sqliteTables.Keys.Where(postgresTables.ContainsKey).OrderBy(t => t, StringComparer.Ordinal).ToList();
        var onlyInSqlite = sqliteTables.Keys.Except(postgresTables.Keys).ToList();
        if (onlyInSqlite.Count > 0)
        {
            throw new InvalidOperationException($"The SQLite database has tables Kolibri's PostgreSQL schema lacks: {string.Join(", ", onlyInSqlite)}.");
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        var commit = new Stopwatch();
        using (var transaction = postgres.BeginTransaction())
        {
            // CASCADE also empties the tables that only PostgreSQL has and that point at these (their fixture rows would dangle).
            Execute(postgres, "TRUNCATE " + string.Join(", ", common.Select(Quote)) + " CASCADE");
            foreach (var table in common)
            {
                var missing = sqliteTables[table].Where(c => !postgresTables[table].Contains(c)).ToList();
                if (missing.Count > 0)
                {
                    throw new InvalidOperationException($"{table}: the SQLite columns {string.Join(", ", missing)} are not in Kolibri's PostgreSQL table.");
                }

                rows[table] = CopyTable(sqlite, postgres, table, sqliteTables[table]);
            }

            commit.Start();
            transaction.Commit();
            commit.Stop();
        }

        var sequences = SetSequences(postgres);
        var analyze = Stopwatch.StartNew();
        Execute(postgres, "ANALYZE");
        return new CopyResult(rows, sequences, total.Elapsed, commit.Elapsed, analyze.Elapsed);
    }

    private static long CopyTable(SqliteConnection sqlite, NpgsqlConnection postgres, string table, IReadOnlyList<string> columns)
    {
        var list = string.Join(", ", columns.Select(Quote));
        using var select = sqlite.CreateCommand();
        select.CommandText = $"SELECT {list} FROM {Quote(table)} ORDER BY rowid";
        using var reader = select.ExecuteReader();
        long count = 0;
        var line = new StringBuilder();
        using (var copy = postgres.BeginTextImport($"COPY {Quote(table)} ({list}) FROM STDIN"))
        {
            while (reader.Read())
            {
                line.Clear();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append('\t');
                    }

                    AppendValue(line, reader.GetValue(i));
                }

                copy.Write(line.Append('\n'));
                count++;
            }
        }

        return count;
    }

    /// <summary>One value in COPY's text format: \N for NULL, backslash escapes for the separators, bytea as \\x hex.</summary>
    private static void AppendValue(StringBuilder line, object value)
    {
        switch (value)
        {
            case DBNull:
                line.Append("\\N");
                break;
            case long integer:
                line.Append(integer.ToString(CultureInfo.InvariantCulture));
                break;
            case double real:
                line.Append(real.ToString("R", CultureInfo.InvariantCulture));
                break;
            case byte[] bytes:
                line.Append("\\\\x").Append(Convert.ToHexString(bytes));
                break;
            case string text:
                foreach (var c in text)
                {
                    _ = c switch
                    {
                        '\\' => line.Append("\\\\"),
                        '\t' => line.Append("\\t"),
                        '\n' => line.Append("\\n"),
                        '\r' => line.Append("\\r"),
                        _ => line.Append(c),
                    };
                }

                break;
            default:
                throw new InvalidOperationException($"Unexpected SQLite value type {value.GetType()}.");
        }
    }

    /// <summary>Sets every serial/identity sequence so the next id is past the largest in its table; returns how many.</summary>
    private static int SetSequences(NpgsqlConnection postgres)
    {
        var serials = new List<(string Table, string Column, string Sequence)>();
        using (var find = new NpgsqlCommand("""
            SELECT table_name, column_name, pg_get_serial_sequence(format('%I.%I', table_schema, table_name), column_name)
            FROM information_schema.columns
            WHERE table_schema = 'public' AND (column_default LIKE 'nextval(%' OR is_identity = 'YES')
            """, postgres))
        using (var reader = find.ExecuteReader())
        {
            while (reader.Read())
            {
                if (!reader.IsDBNull(2))
                {
                    serials.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                }
            }
        }

        foreach (var (table, column, sequence) in serials)
        {
            using var set = new NpgsqlCommand($"SELECT setval(@sequence::regclass, COALESCE((SELECT max({Quote(column)}) FROM {Quote(table)}), 0) + 1, false)", postgres);
            set.Parameters.AddWithValue("sequence", sequence);
            set.ExecuteNonQuery();
        }

        return serials.Count;
    }

    private static Dictionary<string, List<string>> SqliteColumns(SqliteConnection sqlite)
    {
        var tables = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        using var command = sqlite.CreateCommand();
        command.CommandText = """
            SELECT m.name, c.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
            WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, c.cid
            """;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = [];
            }

            columns.Add(reader.GetString(1));
        }

        return tables;
    }

    private static Dictionary<string, HashSet<string>> PostgresColumns(NpgsqlConnection postgres)
    {
        var tables = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        using var command = new NpgsqlCommand("""
            SELECT c.table_name, c.column_name FROM information_schema.columns c
            JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
            WHERE c.table_schema = 'public'
            """, postgres);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var table = reader.GetString(0);
            if (!tables.TryGetValue(table, out var columns))
            {
                tables[table] = columns = new HashSet<string>(StringComparer.Ordinal);
            }

            columns.Add(reader.GetString(1));
        }

        return tables;
    }

    private static void Execute(NpgsqlConnection postgres, string sql)
    {
        using var command = new NpgsqlCommand(sql, postgres);
        command.ExecuteNonQuery();
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}

/// <summary>Rows copied per table, sequences set, and where the time went.</summary>
internal sealed record CopyResult(IReadOnlyDictionary<string, long> Rows, int Sequences, TimeSpan Total, TimeSpan Commit, TimeSpan Analyze)
{
    public long TotalRows => Rows.Values.Sum();
}
