using System.Globalization;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// An online SQLite backup (the backup API, consistent while Kolibri runs) into a new file. It reads through a
/// second, read-only connection: SQLite refuses to back up from a connection inside a write transaction, and the
/// caller's BEGIN IMMEDIATE lock keeps every other writer out, so what is copied is exactly the state it just checked.
/// </summary>
internal static class DatabaseBackup
{
    /// <summary>Copies the database to "db-{facility}-{UTC time}.sqlite3" in <paramref name="folder"/>; returns the path.</summary>
    public static string Create(string databasePath, string folder, string label, DateTimeOffset now)
    {
        Directory.CreateDirectory(folder);
        var safe = new string(label.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray()).Trim('_');
        var stem = "db-" + (safe.Length == 0 ? "facility" : safe) + "-" + now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(folder, stem + ".sqlite3");
        for (var n = 2; File.Exists(path); n++)
        {
            path = Path.Combine(folder, stem + "-" + n.ToString(CultureInfo.InvariantCulture) + ".sqlite3");
        }

        try
        {
            using var source = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            source.Open();
            using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false }.ToString());
            target.Open();
            source.BackupDatabase(target);
        }
        catch
        {
            File.Delete(path);
            throw;
        }

        return path;
    }
}
