namespace KolibriFacility.Core.Storage;

/// <summary>The database engine a Kolibri runs on (options.ini [Database] DATABASE_ENGINE).</summary>
public enum DatabaseEngine
{
    Sqlite,
    PostgreSql,
}
