using System.Data.Common;
using System.Globalization;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// Reads and writes whole rows (<see cref="RowImage"/>) of any table inside the caller's transaction: what the import
/// journal records and what an undo puts back. Table and column names come from the schema, values are bound.
/// </summary>
internal sealed class RowStore(KolibriDatabase database, DbTransaction? transaction) : IDisposable
{
    private readonly Dictionary<string, DbCommand> inserts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> columns = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The rows of <paramref name="table"/> whose <paramref name="column"/> is one of <paramref name="values"/>.</summary>
    public List<RowImage> Select(string table, string column, IReadOnlyCollection<string> values)
    {
        var rows = new List<RowImage>();
        foreach (var batch in values.Chunk(SqlParameters.BatchSize))
        {
            using var command = database.Command("", transaction);
            command.CommandText = $"SELECT * FROM \"{table}\" WHERE \"{column}\" IN ({SqlParameters.InList(command, "p", batch)})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(Read(table, reader));
            }
        }

        return rows;
    }

    /// <summary>The row of <paramref name="table"/> with this id, or null.</summary>
    public RowImage? Find(string table, string id) => Select(table, "id", [id]).FirstOrDefault();

    /// <summary>Whether the table has this column (the schema of the database at hand, not the one a journal was written on).</summary>
    public bool HasColumn(string table, string column)
    {
        if (!columns.TryGetValue(table, out var set))
        {
            columns[table] = set = SchemaValidator.ReadColumns(database.Connection, table, transaction);
        }

        return set.Contains(column);
    }

    /// <summary>
    /// Inserts a row as it was, with the dirty bit set so that morango serializes it again on the next sync; returns
    /// its rowid on SQLite (0 on PostgreSQL, which checks the row's foreign keys itself).
    /// </summary>
    public long Insert(RowImage row)
    {
        var values = row.Values.Where(v => HasColumn(row.Table, v.Key)).ToList();
        var key = row.Table + "(" + string.Join(",", values.Select(v => v.Key)) + ")";
        if (!inserts.TryGetValue(key, out var command))
        {
            command = database.Command(
                $"INSERT INTO \"{row.Table}\" ({string.Join(", ", values.Select(v => "\"" + v.Key + "\""))}) VALUES ({string.Join(", ", values.Select((_, i) => "$v" + i.ToString(CultureInfo.InvariantCulture)))}){database.Dialect.ReturningRowAddress}",
                transaction);
            for (var i = 0; i < values.Count; i++)
            {
                command.AddText("$v" + i.ToString(CultureInfo.InvariantCulture));
            }

            command.Prepare();
            inserts[key] = command;
        }

        KolibriRowWriter.Bind(command, values.Select(v => database.Dialect.ColumnValue(string.Equals(v.Key, RowImage.DirtyBit, StringComparison.OrdinalIgnoreCase) ? 1L : v.Value)).ToArray());
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, CultureInfo.InvariantCulture);
    }

    /// <summary>Sets <paramref name="values"/> on the row with this id, and its dirty bit where it has one.</summary>
    public void Update(string table, string id, IReadOnlyList<KeyValuePair<string, object?>> values)
    {
        var sets = values.Where(v => !string.Equals(v.Key, RowImage.DirtyBit, StringComparison.OrdinalIgnoreCase)).ToList();
        using var command = database.Command("", transaction);
        var assignments = sets.Select((v, i) => $"\"{v.Key}\" = $v{i.ToString(CultureInfo.InvariantCulture)}").ToList();
        if (HasColumn(table, RowImage.DirtyBit))
        {
            assignments.Add($"\"{RowImage.DirtyBit}\" = TRUE");
        }

        command.CommandText = $"UPDATE \"{table}\" SET {string.Join(", ", assignments)} WHERE id = $id";
        for (var i = 0; i < sets.Count; i++)
        {
            command.Parameters.AddWithValue("$v" + i.ToString(CultureInfo.InvariantCulture), database.Dialect.ColumnValue(sets[i].Value) ?? DBNull.Value);
        }

        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }

    /// <summary>Whether another user of the facility has this username (Kolibri's usernames are unique per facility, case-insensitively).</summary>
    public bool UsernameTaken(string facilityId, string username, string exceptId)
    {
        using var command = database.Command(
            $"SELECT 1 FROM kolibriauth_facilityuser WHERE facility_id = $facility AND {database.Dialect.NoCase("username")} = {database.Dialect.NoCase("CAST($username AS text)")} AND id <> $id LIMIT 1", transaction);
        command.Parameters.AddWithValue("$facility", facilityId);
        command.Parameters.AddWithValue("$username", username);
        command.Parameters.AddWithValue("$id", exceptId);
        return command.ExecuteScalar() is not null;
    }

    /// <summary>
    /// Which of the given rows (table, rowid) have a foreign key pointing at no row (SQLite's own check, of their
    /// tables; rows that were broken before are not these rows' concern).
    /// </summary>
    public List<string> ForeignKeyViolations(IReadOnlyDictionary<string, HashSet<long>> rows)
    {
        var found = new List<string>();
        if (database.Engine == DatabaseEngine.PostgreSql)
        {
            // Kolibri's keys are deferred to the commit: checking them now fails on the first broken one, and the
            // transaction with it (the caller rolls back).
            try
            {
                using var check = database.Command("SET CONSTRAINTS ALL IMMEDIATE", transaction);
                check.ExecuteNonQuery();
            }
            catch (Npgsql.PostgresException ex) when (DbFailures.Classify(ex) == DbFailure.ForeignKey)
            {
                found.Add($"{ex.TableName} {ex.Detail}".Trim());
            }

            return found;
        }

        foreach (var (table, rowids) in rows)
        {
            using var command = database.Command($"PRAGMA foreign_key_check(\"{table}\")", transaction);
            using var reader = command.ExecuteReader();
            while (reader.Read() && found.Count < 20)
            {
                if (reader.IsDBNull(1) || !rowids.Contains(reader.GetInt64(1))) continue;
                found.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)} row {reader.GetValue(1)} refers to a missing {reader.GetString(2)} row"));
            }
        }

        return found;
    }

    private static RowImage Read(string table, DbDataReader reader)
    {
        var values = new KeyValuePair<string, object?>[reader.FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            object? value = reader.IsDBNull(i) ? null : reader.GetFieldType(i) == typeof(byte[]) ? reader.GetFieldValue<byte[]>(i) : AsStored(reader.GetValue(i));
            values[i] = new(reader.GetName(i), value);
        }

        return new RowImage(table, values);
    }

    /// <summary>A value as SQLite stores it (long, double, string, byte[]), whichever engine it was read from: the journal's one form.</summary>
    private static object AsStored(object value) => value switch
    {
        bool flag => flag ? 1L : 0L,
        int or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        float or decimal => Convert.ToDouble(value, CultureInfo.InvariantCulture),
        _ => value,
    };

    public void Dispose()
    {
        foreach (var command in inserts.Values)
        {
            command.Dispose();
        }
    }
}
