using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// Deletes rows the way Django's collector does for Kolibri's models (every foreign key to a deleted row cascades,
/// as Kolibri 0.17 declares them), following the foreign keys the schema actually has, and records every deleted
/// syncable row (one with morango columns) in morango_deletedmodels, and for a hard delete also in
/// morango_harddeletedmodels, as morango's post-delete signal and hard-delete path do.
/// </summary>
internal sealed class CascadeDeleter
{
    private const int BatchSize = 400;
    private const string Profile = "facilitydata";
    private readonly KolibriDatabase database;
    private readonly SqliteTransaction transaction;
    private readonly Dictionary<string, List<(string Table, string Column)>> children = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> syncable = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> withId = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool hasDeletedModels;
    private readonly bool hasHardDeletedModels;

    public CascadeDeleter(KolibriDatabase database, SqliteTransaction transaction)
    {
        this.database = database;
        this.transaction = transaction;
        var tables = SchemaValidator.ReadTables(database.Connection, transaction)
            .Where(t => !t.StartsWith("sqlite_", StringComparison.OrdinalIgnoreCase)).ToList();
        foreach (var table in tables)
        {
            var columns = SchemaValidator.ReadColumns(database.Connection, table, transaction);
            if (columns.Contains("id")) withId.Add(table);
            if (columns.Contains("_morango_dirty_bit")) syncable.Add(table);

            using (var command = database.Command("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list($t)", transaction))
            {
                command.Parameters.AddWithValue("$t", table);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var parent = reader.GetString(0);
                    var to = reader.IsDBNull(2) ? "id" : reader.GetString(2);
                    if (to != "id") continue;
                    if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                    list.Add((table, reader.GetString(1)));
                }
            }
        }

        hasDeletedModels = tables.Contains("morango_deletedmodels", StringComparer.OrdinalIgnoreCase);
        hasHardDeletedModels = tables.Contains("morango_harddeletedmodels", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Rows deleted so far, per table (the cascade included).</summary>
    public Dictionary<string, int> DeletedRows { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Deletes rows of <paramref name="table"/> by id, and everything that references them.</summary>
    public void Delete(string table, IReadOnlyCollection<string> ids, bool hardDelete)
    {
        foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(BatchSize))
        {
            DeleteBatch(table, batch, hardDelete);
        }
    }

    private void DeleteBatch(string table, string[] ids, bool hardDelete)
    {
        foreach (var (child, column) in children.GetValueOrDefault(table) ?? [])
        {
            if (withId.Contains(child))
            {
                var childIds = Select(child, column, ids);
                if (child.Equals(table, StringComparison.OrdinalIgnoreCase)) childIds.RemoveAll(ids.Contains);
                if (childIds.Count > 0) Delete(child, childIds, hardDelete);
            }
            else
            {
                Count(child, Execute($"DELETE FROM \"{child}\" WHERE \"{column}\" IN ({Parameters(ids.Length)})", ids));
            }
        }

        if (syncable.Contains(table))
        {
            RecordDeletion("morango_deletedmodels", hasDeletedModels, ids);
            if (hardDelete) RecordDeletion("morango_harddeletedmodels", hasHardDeletedModels, ids);
        }

        Count(table, Execute($"DELETE FROM \"{table}\" WHERE id IN ({Parameters(ids.Length)})", ids));
    }

    /// <summary>Records a deleted syncable row so the next sync propagates the deletion.</summary>
    public void RecordDeletion(string[] ids, bool hardDelete)
    {
        RecordDeletion("morango_deletedmodels", hasDeletedModels, ids);
        if (hardDelete) RecordDeletion("morango_harddeletedmodels", hasHardDeletedModels, ids);
    }

    /// <summary>A row re-created with a deterministic id (membership, role) is no longer deleted.</summary>
    public void ForgetDeletion(string id)
    {
        if (hasDeletedModels) Execute("DELETE FROM morango_deletedmodels WHERE id = $p0", [id]);
        if (hasHardDeletedModels) Execute("DELETE FROM morango_harddeletedmodels WHERE id = $p0", [id]);
    }

    private void RecordDeletion(string table, bool exists, string[] ids)
    {
        if (!exists) return;
        foreach (var id in ids)
        {
            Execute($"INSERT OR REPLACE INTO {table} (id, profile) VALUES ($p0, '{Profile}')", [id]);
        }
    }

    private void Count(string table, int rows)
    {
        if (rows > 0) DeletedRows[table] = DeletedRows.GetValueOrDefault(table) + rows;
    }

    private List<string> Select(string table, string column, string[] ids)
    {
        using var command = database.Command($"SELECT id FROM \"{table}\" WHERE \"{column}\" IN ({Parameters(ids.Length)})", transaction);
        Bind(command, ids);
        var result = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) result.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        return result;
    }

    private int Execute(string sql, string[] values)
    {
        using var command = database.Command(sql, transaction);
        Bind(command, values);
        return command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, string[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters.AddWithValue("$p" + i.ToString(CultureInfo.InvariantCulture), values[i]);
        }
    }

    private static string Parameters(int count) =>
        string.Join(", ", Enumerable.Range(0, count).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture)));
}
