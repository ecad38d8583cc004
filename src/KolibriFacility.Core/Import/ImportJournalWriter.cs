using System.Text.Json;
using KolibriFacility.Core.IO;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Streams an import's journal (docs/Undo.md) while the import writes: one JSON line per change and one per row the
/// change inserted, updated (before and after) or deleted, as stored. It is written under a hidden ".partial" name,
/// owner-only (it holds password hashes, as backups do), and gets its final name only when the import commits.
/// Rows come from the database only: a CSV password never reaches it.
/// </summary>
internal sealed class ImportJournalWriter : IDisposable
{
    private readonly string partial;
    private readonly FileStream stream;
    private readonly Utf8JsonWriter json;
    private bool completed;
    private bool disposed;

    private ImportJournalWriter(string path)
    {
        Path = path;
        partial = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, "." + System.IO.Path.GetFileName(path) + ".partial");
        stream = FilePermissions.CreateNew(partial, FilePermissions.OwnerOnlyFile);
        json = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
    }

    public string Path { get; }

    public static ImportJournalWriter Create(string path, ImportPlan plan, string? backupPath, DateTimeOffset now)
    {
        var writer = new ImportJournalWriter(path);
        try
        {
            writer.Line(w =>
            {
                w.WriteString("type", ImportJournal.HeaderType);
                w.WriteNumber("formatVersion", ImportJournal.FormatVersion);
                w.WriteString("importedAt", now);
                w.WriteString("database", plan.DatabasePath);
                w.WriteString("facilityId", plan.FacilityId);
                w.WriteString("facilityName", plan.FacilityName);
                w.WriteString("datasetId", plan.DatasetId);
                w.WriteString("csvPath", plan.CsvPath);
                w.WriteString("csvSha256", plan.CsvSha256);
                w.WriteString("backup", backupPath is null ? null : System.IO.Path.GetFileName(backupPath));
            });
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    public void Change(ImportChange change) => Line(w =>
    {
        w.WriteString("type", ImportJournal.ChangeType);
        w.WriteNumber("id", change.Id);
        w.WriteString("action", change.Action.ToString());
        w.WriteString("kind", change.Kind.ToString());
        w.WriteString("target", change.Target);
        w.WriteString("userId", change.UserId);
        w.WriteString("username", change.Username);
        w.WriteString("classId", change.ClassId);
        w.WriteString("className", change.ClassName);
        w.WriteString("roleKind", change.RoleKind);
        w.WriteString("description", change.Description);
        w.WriteStartArray("fields");
        foreach (var field in change.Fields)
        {
            w.WriteStartObject();
            w.WriteString("field", field.Field);
            w.WriteString("old", field.OldValue);
            w.WriteString("new", field.NewValue);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    public void Inserted(int change, RowImage row) => Op(ImportJournal.Insert, change, row.Table, w => WriteRow(w, "row", row));

    public void Updated(int change, RowImage before, RowImage after) => Op(ImportJournal.Update, change, before.Table, w =>
    {
        WriteRow(w, "before", before);
        WriteRow(w, "after", after);
    });

    public void Deleted(int change, RowImage row) => Op(ImportJournal.Delete, change, row.Table, w => WriteRow(w, "row", row));

    /// <summary>Gives the journal its final name (before the import commits: if the commit fails, <see cref="Discard"/> removes it).</summary>
    public void Complete()
    {
        json.Flush();
        stream.Flush(flushToDisk: true);
        Dispose();
        File.Move(partial, Path);
        completed = true;
    }

    /// <summary>Removes the journal of an import that did not happen.</summary>
    public void Discard()
    {
        Dispose();
        TryDelete(partial);
        if (completed)
        {
            TryDelete(Path);
        }
    }

    private void Op(string op, int change, string table, Action<Utf8JsonWriter> body) => Line(w =>
    {
        w.WriteString("type", op);
        w.WriteNumber("change", change);
        w.WriteString("table", table);
        body(w);
    });

    private void Line(Action<Utf8JsonWriter> body)
    {
        json.WriteStartObject();
        body(json);
        json.WriteEndObject();
        json.Flush();
        json.Reset();
        stream.WriteByte((byte)'\n');
    }

    private static void WriteRow(Utf8JsonWriter w, string name, RowImage row)
    {
        w.WriteStartObject(name);
        foreach (var (column, value) in row.Values)
        {
            switch (value)
            {
                case null: w.WriteNull(column); break;
                case long l: w.WriteNumber(column, l); break;
                case double d: w.WriteNumber(column, d); break;
                case byte[] bytes:
                    w.WriteStartObject(column);
                    w.WriteBase64String(ImportJournal.BlobKey, bytes);
                    w.WriteEndObject();
                    break;
                default: w.WriteString(column, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)); break;
            }
        }

        w.WriteEndObject();
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        json.Dispose();
        stream.Dispose();
    }
}
