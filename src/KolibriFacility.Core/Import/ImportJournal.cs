using System.Globalization;
using System.Text;
using System.Text.Json;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Import;

/// <summary>
/// An applied import's journal, read back (docs/Undo.md): the import it records and, per change, the rows it
/// inserted, updated (before and after) and deleted, in the order they were written.
/// </summary>
public sealed class ImportJournal
{
    public const int FormatVersion = 1;
    public const string Extension = ".journal.jsonl";
    public const string FilePattern = "db-*" + Extension;
    internal const string HeaderType = "import";
    internal const string ChangeType = "change";
    internal const string UndoneType = "undone";
    internal const string Insert = "insert";
    internal const string Update = "update";
    internal const string Delete = "delete";
    internal const string BlobKey = "base64";

    public required string Path { get; init; }
    public required DateTimeOffset ImportedAt { get; init; }
    public required string DatabasePath { get; init; }
    public required string FacilityId { get; init; }
    public required string FacilityName { get; init; }
    public required string DatasetId { get; init; }
    public string? CsvPath { get; init; }
    public string? CsvSha256 { get; init; }

    /// <summary>The backup taken before the import (its full path beside the journal), or null when none was taken.</summary>
    public string? BackupPath { get; init; }

    /// <summary>When an undo of this import was applied, or null.</summary>
    public DateTimeOffset? UndoneAt { get; init; }

    public required IReadOnlyList<ImportChange> Changes { get; init; }

    internal IReadOnlyList<JournalOp> Ops { get; init; } = [];

    /// <summary>The journal kept beside a backup (same folder, same base name).</summary>
    public static string PathFor(string backupPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(backupPath)!, System.IO.Path.GetFileNameWithoutExtension(backupPath) + Extension);

    /// <summary>The backup a journal belongs to (it may not exist: an import with -NoBackup keeps only its journal).</summary>
    public static string BackupPathFor(string journalPath) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(journalPath)!, System.IO.Path.GetFileName(journalPath)[..^Extension.Length] + ".sqlite3");

    /// <summary>Reads a journal; throws InvalidDataException naming the line that is not one.</summary>
    public static ImportJournal Read(string path)
    {
        path = System.IO.Path.GetFullPath(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        JsonElement? header = null;
        DateTimeOffset? undone = null;
        var changes = new List<ImportChange>();
        var ops = new List<JournalOp>();
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0) continue;
            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{path}' is not an import journal: line {number} is not JSON ({ex.Message})."), ex);
            }

            var type = element.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (type)
            {
                case HeaderType when number == 1:
                    header = element;
                    break;
                case ChangeType:
                    changes.Add(ReadChange(element));
                    break;
                case Insert or Update or Delete:
                    ops.Add(ReadOp(type, element));
                    break;
                case UndoneType:
                    undone = element.GetProperty("at").GetDateTimeOffset();
                    break;
                default:
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture, $"'{path}' is not an import journal: line {number} has type '{type}'."));
            }
        }

        if (header is not { } h)
        {
            throw new InvalidDataException($"'{path}' is not an import journal: it does not start with the import it records.");
        }

        if (h.GetProperty("formatVersion").GetInt32() != FormatVersion)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"The import journal '{path}' has format version {h.GetProperty("formatVersion").GetInt32()}; this module reads version {FormatVersion}."));
        }

        var backup = Text(h, "backup");
        return new ImportJournal
        {
            Path = path,
            ImportedAt = h.GetProperty("importedAt").GetDateTimeOffset(),
            DatabasePath = Text(h, "database")!,
            FacilityId = Text(h, "facilityId")!,
            FacilityName = Text(h, "facilityName")!,
            DatasetId = Text(h, "datasetId")!,
            CsvPath = Text(h, "csvPath"),
            CsvSha256 = Text(h, "csvSha256"),
            BackupPath = backup is null ? null : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(path)!, backup),
            UndoneAt = undone,
            Changes = changes,
            Ops = ops,
        };
    }

    /// <summary>Records in the journal that its import was undone (so -Last moves on and a second undo says so).</summary>
    internal static void MarkUndone(string path, DateTimeOffset at)
    {
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var json = new Utf8JsonWriter(stream);
        json.WriteStartObject();
        json.WriteString("type", UndoneType);
        json.WriteString("at", at);
        json.WriteEndObject();
        json.Flush();
        stream.WriteByte((byte)'\n');
    }

    /// <summary>The newest journal of the facility in <paramref name="folder"/> whose import is not undone yet, or null.</summary>
    public static ImportJournal? Last(string folder, string facilityId)
    {
        if (!Directory.Exists(folder)) return null;
        return new DirectoryInfo(folder).EnumerateFiles(FilePattern)
            .OrderByDescending(f => f.LastWriteTimeUtc).ThenByDescending(f => f.Name, StringComparer.Ordinal)
            .Select(f => TryRead(f.FullName))
            .Where(j => j is not null && j.FacilityId == facilityId)
            .OrderByDescending(j => j!.ImportedAt)
            .FirstOrDefault(j => j!.UndoneAt is null);
    }

    internal static ImportJournal? TryRead(string path)
    {
        try
        {
            return Read(path);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static ImportChange ReadChange(JsonElement e) => new()
    {
        Id = e.GetProperty("id").GetInt32(),
        Action = Enum.Parse<ImportAction>(e.GetProperty("action").GetString()!),
        Kind = Enum.Parse<ImportTarget>(e.GetProperty("kind").GetString()!),
        Target = Text(e, "target") ?? "",
        UserId = Text(e, "userId"),
        Username = Text(e, "username"),
        ClassId = Text(e, "classId"),
        ClassName = Text(e, "className"),
        RoleKind = Text(e, "roleKind"),
        Description = Text(e, "description") ?? "",
        Fields = e.TryGetProperty("fields", out var fields)
            ? fields.EnumerateArray().Select(f => new FieldChange(Text(f, "field")!, Text(f, "old"), Text(f, "new"))).ToList()
            : [],
    };

    private static JournalOp ReadOp(string type, JsonElement e)
    {
        var table = Text(e, "table")!;
        var change = e.GetProperty("change").GetInt32();
        return type == Update
            ? new JournalOp(type, change, ReadRow(table, e.GetProperty("before")), ReadRow(table, e.GetProperty("after")))
            : new JournalOp(type, change, ReadRow(table, e.GetProperty("row")), null);
    }

    private static RowImage ReadRow(string table, JsonElement row) =>
        new(table, row.EnumerateObject().Select(p => new KeyValuePair<string, object?>(p.Name, p.Value.ValueKind switch
        {
            JsonValueKind.Null => null,
            JsonValueKind.String => p.Value.GetString(),
            JsonValueKind.Number => p.Value.TryGetInt64(out var l) ? l : p.Value.GetDouble(),
            JsonValueKind.Object => p.Value.GetProperty(BlobKey).GetBytesFromBase64(),
            JsonValueKind.True => 1L,
            JsonValueKind.False => 0L,
            _ => throw new InvalidDataException($"Column {p.Name} of a journalled {table} row has a value of kind {p.Value.ValueKind}."),
        })).ToList());

    private static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public override string ToString() => $"Import into '{FacilityName}' at {ImportedAt.ToString("u", CultureInfo.InvariantCulture)} ({Changes.Count} changes)";
}

/// <summary>One row an import wrote: Kind is insert, update or delete; After only for an update.</summary>
internal sealed record JournalOp(string Kind, int Change, RowImage Row, RowImage? After);
