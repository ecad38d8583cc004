using System.Data.Common;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Writes an undo's steps inside the applier's transaction with the import's own storage classes: rows the import
/// inserted are deleted as the import deletes (morango deletion records; users hard-deleted), rows it updated get their
/// old values with the dirty bit set, rows it deleted are inserted again as they were, dirty, and their pending morango
/// deletion records are dropped, so the next sync serializes them again and a peer sees the same rows come back
/// (morango clears a store record's deleted flags when it serializes a dirty row: docs/Kolibri.md, Undo and sync).
/// </summary>
internal sealed class UndoWriter(KolibriDatabase database, DbTransaction transaction) : IDisposable
{
    private const int BatchSize = 400;
    private readonly RowStore rows = new(database, transaction);
    private readonly CascadeDeleter deleter = new(database, transaction);
    private readonly List<string> forget = [];
    private readonly Dictionary<string, HashSet<long>> reinserted = new(StringComparer.OrdinalIgnoreCase);

    public void Write(IReadOnlyList<UndoStep> steps, Action<int> done)
    {
        for (var i = 0; i < steps.Count;)
        {
            var step = steps[i];
            switch (step.Kind)
            {
                case UndoStepKind.Remove:
                    // A run of removals goes table by table, in the order the tables first appear in it, each in
                    // batches that cascade together (as the import's user deletes do). Safe: the import inserted a
                    // row after the rows it refers to, so newest first, a table appears before the tables it refers to.
                    var run = steps.Skip(i).TakeWhile(s => s.Kind == UndoStepKind.Remove).ToList();
                    foreach (var table in run.GroupBy(s => s.Row.Table, StringComparer.OrdinalIgnoreCase))
                    {
                        foreach (var batch in table.Select(s => s.Row.Id!).Chunk(BatchSize))
                        {
                            deleter.Delete(table.Key, batch, hardDelete: table.Key.Equals("kolibriauth_facilityuser", StringComparison.OrdinalIgnoreCase));
                            i += batch.Length;
                            done(i);
                        }
                    }

                    continue;
                case UndoStepKind.Restore:
                    var before = step.Row;
                    var changed = before.Differences(step.ImportedImage!);
                    rows.Update(before.Table, before.Id!, before.Values.Where(v => changed.Contains(v.Key, StringComparer.OrdinalIgnoreCase)).ToList());
                    i++;
                    break;
                default:
                    var rowid = rows.Insert(step.Row);
                    if (step.Row.Id is { } id)
                    {
                        forget.Add(id);
                    }

                    if (!reinserted.TryGetValue(step.Row.Table, out var rowids)) reinserted[step.Row.Table] = rowids = [];
                    rowids.Add(rowid);
                    i++;
                    break;
            }

            done(i);
        }

        deleter.ForgetDeletions(forget);
    }

    /// <summary>Foreign keys of the rows put back that point at rows gone since.</summary>
    public List<string> BrokenReferences() => rows.ForeignKeyViolations(reinserted);

    public void Dispose() => rows.Dispose();
}
