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
    private readonly DbTransaction? transaction;
    private readonly Dictionary<string, List<(string Table, string Column)>> children = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> syncable = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> withId = new(StringComparer.OrdinalIgnoreCase);
    private readonly bool hasDeletedModels;
    private readonly bool hasHardDeletedModels;

    public CascadeDeleter(KolibriDatabase database, DbTransaction? transaction)
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

            using (var command = database.Command(database.Dialect.ForeignKeysQuery, transaction))
            {
                command.Parameters.AddWithValue("$table", table);
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var parent = reader.GetString(0);
                    if (!children.TryGetValue(parent, out var list)) children[parent] = list = [];
                    list.Add((table, reader.GetString(1)));
                }
            }
        }

        hasDeletedModels = tables.Contains("morango_deletedmodels", StringComparer.OrdinalIgnoreCase);
        hasHardDeletedModels = tables.Contains("morango_harddeletedmodels", StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Called with every row just before it is deleted, and the id of the row given to <see cref="Delete"/> whose
    /// deletion cascaded to it (the import journal keeps them, so an undo can put them back).
    /// </summary>
    public Action<RowImage, string>? Deleting { get; init; }

    /// <summary>Deletes rows of <paramref name="table"/> by id, and everything that references them.</summary>
    public void Delete(string table, IReadOnlyCollection<string> ids, bool hardDelete)
    {
        foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(SqlParameters.BatchSize))
        {
            DeleteBatch(table, batch, hardDelete, Deleting is null ? null : batch.ToDictionary(id => id, id => id, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// For each of <paramref name="ids"/>, the rows (table, id or null) that point at it through a foreign key: what
    /// deleting it would cascade to first. One query per child table and 400 ids.
    /// </summary>
    public Dictionary<string, List<(string Table, string? Id)>> Referencing(string table, IReadOnlyCollection<string> ids)
    {
        var found = new Dictionary<string, List<(string, string?)>>(StringComparer.Ordinal);
        foreach (var batch in ids.Distinct(StringComparer.Ordinal).Chunk(SqlParameters.BatchSize))
        {
            foreach (var (child, column) in children.GetValueOrDefault(table) ?? [])
            {
                var self = child.Equals(table, StringComparison.OrdinalIgnoreCase);
                using var command = database.Command("", transaction);
                command.CommandText = withId.Contains(child)
                    ? $"SELECT \"{column}\", id FROM \"{child}\" WHERE \"{column}\" IN ({SqlParameters.InList(command, "p", batch)})"
                    : $"SELECT \"{column}\", NULL FROM \"{child}\" WHERE \"{column}\" IN ({SqlParameters.InList(command, "p", batch)})";
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    var parent = Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!;
                    var id = reader.IsDBNull(1) ? null : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture);
                    if (self && id == parent) continue;
                    if (!found.TryGetValue(parent, out var list)) found[parent] = list = [];
                    list.Add((child, id));
                }
            }
        }

        return found;
    }

    /// <param name="roots">When rows are reported: for each id, the id given to Delete that it cascades from.</param>
    private void DeleteBatch(string table, string[] ids, bool hardDelete, Dictionary<string, string>? roots)
    {
        foreach (var (child, column) in children.GetValueOrDefault(table) ?? [])
        {
            if (withId.Contains(child))
            {
                var pairs = SelectPairs(child, column, ids);
                if (child.Equals(table, StringComparison.OrdinalIgnoreCase)) pairs.RemoveAll(p => ids.Contains(p.Id));
                var childRoots = roots is null ? null : new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var (id, parent) in pairs)
                {
                    if (childRoots is not null && parent is not null) childRoots.TryAdd(id, roots![parent]);
                }

                foreach (var batch in pairs.Select(p => p.Id).Distinct(StringComparer.Ordinal).Chunk(SqlParameters.BatchSize))
                {
                    DeleteBatch(child, batch, hardDelete, childRoots);
                }
            }
            else
            {
                if (roots is not null)
                {
                    using var rows = new RowStore(database, transaction);
                    foreach (var row in rows.Select(child, column, ids))
                    {
                        Deleting!(row, roots[Convert.ToString(row[column], CultureInfo.InvariantCulture)!]);
                    }
                }

                Execute($"DELETE FROM \"{child}\" WHERE \"{column}\" IN ({{0}})", ids);
            }
        }

        if (roots is not null)
        {
            using var rows = new RowStore(database, transaction);
            foreach (var row in rows.Select(table, "id", ids))
            {
                Deleting!(row, roots[row.Id!]);
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
    public void ForgetDeletion(string id) => ForgetDeletions([id]);

    /// <summary>Rows re-created with their ids (an undo) are no longer deleted: one statement per table and 400 ids.</summary>
    public void ForgetDeletions(IReadOnlyCollection<string> ids)
    {
        foreach (var batch in ids.Chunk(SqlParameters.BatchSize))
        {
            if (hasDeletedModels) Execute("DELETE FROM morango_deletedmodels WHERE id IN ({0})", batch);
            if (hasHardDeletedModels) Execute("DELETE FROM morango_harddeletedmodels WHERE id IN ({0})", batch);
        }
    }

    private void RecordDeletion(string table, bool exists, string[] ids)
    {
        if (!exists || ids.Length == 0) return;
        using var command = database.Command("", transaction);
        var values = ids.Select((id, i) =>
        {
            var name = "$p" + i.ToString(CultureInfo.InvariantCulture);
            command.Parameters.AddWithValue(name, id);
            return $"({name}, '{Profile}')";
        });
        command.CommandText = $"INSERT INTO {table} (id, profile) VALUES {string.Join(", ", values)} ON CONFLICT (id) DO UPDATE SET profile = excluded.profile";
        command.ExecuteNonQuery();
    }

    /// <summary>The ids of the rows whose <paramref name="column"/> is one of <paramref name="ids"/>, each with that value.</summary>
    private List<(string Id, string? Parent)> SelectPairs(string table, string column, string[] ids)
    {
        using var command = database.Command("", transaction);
        command.CommandText = $"SELECT id, \"{column}\" FROM \"{table}\" WHERE \"{column}\" IN ({SqlParameters.InList(command, "p", ids)})";
        var result = new List<(string, string?)>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) result.Add((Convert.ToString(reader.GetValue(0), CultureInfo.InvariantCulture)!, reader.IsDBNull(1) ? null : Convert.ToString(reader.GetValue(1), CultureInfo.InvariantCulture)));
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
