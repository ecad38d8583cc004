using System.Globalization;
using System.Data.Common;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// Deletes rows the way Django's collector does for Kolibri's models (every foreign key to a deleted row cascades,
/// as Kolibri 0.17 declares them), following the foreign keys the schema actually has, and records every deleted
/// syncable row (one with morango columns) in morango_deletedmodels, and for a hard delete also in
/// morango_harddeletedmodels, as morango's post-delete signal and hard-delete path do.
/// </summary>
internal sealed class CascadeDeleter
{
    private const string Profile = "facilitydata";
    private readonly KolibriDatabase database;
    private readonly DbTransaction transaction;
    private readonly Dictionary<string, List<(string Table, string Column)>> children = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> syncable = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> withId = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool hasDeletedModels;
    private readonly bool hasHardDeletedModels;

    public CascadeDeleter(KolibriDatabase database, DbTransaction transaction)
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

    /// <summary>Deletes rows of <paramref name="table"/> by id, and everything that references them.</summary>
    public void Delete(string table, IReadOnlyCollection<string> ids, bool hardDelete)
    {
        foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(SqlParameters.BatchSize))
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
                Execute($"DELETE FROM \"{child}\" WHERE \"{column}\" IN ({{0}})", ids);
            }
        }

        if (syncable.Contains(table))
        {
            RecordDeletion("morango_deletedmodels", hasDeletedModels, ids);
            if (hardDelete) RecordDeletion("morango_harddeletedmodels", hasHardDeletedModels, ids);
        }

        Execute($"DELETE FROM \"{table}\" WHERE id IN ({{0}})", ids);
    }

    /// <summary>A row re-created with a deterministic id (membership, role) is no longer deleted.</summary>
    public void ForgetDeletion(string id)
    {
        if (hasDeletedModels) Execute("DELETE FROM morango_deletedmodels WHERE id IN ({0})", [id]);
        if (hasHardDeletedModels) Execute("DELETE FROM morango_harddeletedmodels WHERE id IN ({0})", [id]);
    }

    private void RecordDeletion(string table, bool exists, string[] ids)
    {
        if (!exists) return;
        foreach (var id in ids)
        {
            Execute($"INSERT OR REPLACE INTO {table} (id, profile) VALUES ({{0}}, '{Profile}')", [id]);
        }
    }

    private List<string> Select(string table, string column, string[] ids)
    {
        using var command = database.Command("", transaction);
        command.CommandText = $"SELECT id FROM \"{table}\" WHERE \"{column}\" IN ({SqlParameters.InList(command, "p", ids)})";
        var result = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) result.Add(Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!);
        return result;
    }

    /// <summary>Runs <paramref name="sqlFormat"/> with its {0} replaced by the bound list of <paramref name="values"/>.</summary>
    private void Execute(string sqlFormat, string[] values)
    {
        using var command = database.Command("", transaction);
        command.CommandText = string.Format(CultureInfo.InvariantCulture, sqlFormat, SqlParameters.InList(command, "p", values));
        command.ExecuteNonQuery();
    }
}
