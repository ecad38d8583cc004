using KolibriFacility.Core.Storage;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Writes an undo's steps inside the applier's transaction with the import's own storage classes: rows the import
/// inserted are deleted as the import deletes (morango deletion records; users hard-deleted), rows it updated get their
/// old values with the dirty bit set, rows it deleted are inserted again as they were, dirty, and their pending morango
/// deletion records are dropped, so the next sync serializes them again and a peer sees the same rows come back
/// (morango clears a store record's deleted flags when it serializes a dirty row: docs/Kolibri.md, Undo and sync).
/// </summary>
internal sealed class UndoWriter(KolibriDatabase database, SqliteTransaction transaction) : IDisposable
{
    private const int BatchSize = 400;
    private readonly RowStore rows = new(database, transaction);
    private readonly CascadeDeleter deleter = new(database, transaction);
    private readonly HashSet<string> reinsertedTables = new(StringComparer.OrdinalIgnoreCase);

    public void Write(IReadOnlyList<UndoStep> steps, Action<int> done)
    {
        for (var i = 0; i < steps.Count;)
        {
            var step = steps[i];
            switch (step.Kind)
            {
                case UndoStepKind.Remove:
                    // Consecutive removals from one table cascade together, as the import's user deletes do.
                    var batch = steps.Skip(i).Take(BatchSize).TakeWhile(s => s.Kind == UndoStepKind.Remove && s.Row.Table == step.Row.Table).ToList();
                    deleter.Delete(step.Row.Table, batch.Select(s => s.Row.Id!).ToList(),
                        hardDelete: step.Row.Table.Equals("kolibriauth_facilityuser", StringComparison.OrdinalIgnoreCase));
                    i += batch.Count;
                    break;
                case UndoStepKind.Restore:
                    var before = step.Row;
                    var changed = before.Differences(step.ImportedImage!);
                    rows.Update(before.Table, before.Id!, before.Values.Where(v => changed.Contains(v.Key, StringComparer.OrdinalIgnoreCase)).ToList());
                    i++;
                    break;
                default:
                    rows.Insert(step.Row);
                    if (step.Row.Id is { } id)
                    {
                        deleter.ForgetDeletion(id);
                    }

                    reinsertedTables.Add(step.Row.Table);
                    i++;
                    break;
            }

            done(i);
        }
    }

    /// <summary>Foreign keys of the rows put back that point at rows gone since.</summary>
    public List<string> BrokenReferences() => rows.ForeignKeyViolations(reinsertedTables);

    public void Dispose() => rows.Dispose();
}
