using System.Collections;
using System.Globalization;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage.Postgres;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// A KOLIBRI_HOME's database settings, read the way Kolibri reads them (kolibri/utils/options.py, docs/PostgreSQL.md):
/// options.ini section [Database], keys DATABASE_ENGINE (sqlite, the default, or postgres), DATABASE_NAME, _USER,
/// _PASSWORD, _HOST, _PORT, each overridden by the environment variable KOLIBRI_&lt;KEY&gt; when that is set.
/// </summary>
public static class KolibriDatabaseOptions
{
    public const string OptionsFileName = "options.ini";
    private const string Section = "Database";

    /// <summary>The engine the home's Kolibri uses.</summary>
    public static DatabaseEngine EngineOf(string home, IDictionary? environment = null) =>
        Read(home, "DATABASE_ENGINE", environment ?? Environment.GetEnvironmentVariables()) switch
        {
            null or "" => DatabaseEngine.Sqlite,
            var engine when engine.Equals("sqlite", StringComparison.OrdinalIgnoreCase) => DatabaseEngine.Sqlite,
            var engine when engine.Equals("postgres", StringComparison.OrdinalIgnoreCase) => DatabaseEngine.PostgreSql,
            var engine => throw new KolibriDatabaseException(DatabaseProblem.InvalidSettings, home,
                $"DATABASE_ENGINE is '{engine}' for the Kolibri in '{home}' (options.ini [Database] or KOLIBRI_DATABASE_ENGINE); Kolibri knows only 'sqlite' and 'postgres'."),
        };

    /// <summary>DATABASE_NAME of a home that uses SQLite (the file name in KOLIBRI_HOME); null when unset or for PostgreSQL.</summary>
    public static string? SqliteNameOf(string home, IDictionary? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        return EngineOf(home, environment) == DatabaseEngine.Sqlite && Read(home, "DATABASE_NAME", environment) is { Length: > 0 } name ? name.Trim() : null;
    }

    /// <summary>The PostgreSQL settings of a home whose engine is postgres; null when it uses SQLite.</summary>
    public static PostgresSettings? PostgresSettingsOf(string home, IDictionary? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariables();
        if (EngineOf(home, environment) != DatabaseEngine.PostgreSql)
        {
            return null;
        }

        var name = Read(home, "DATABASE_NAME", environment);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new KolibriDatabaseException(DatabaseProblem.InvalidSettings, home,
                $"The Kolibri in '{home}' uses PostgreSQL but names no database: set DATABASE_NAME in options.ini [Database] (or KOLIBRI_DATABASE_NAME).");
        }

        var portText = Read(home, "DATABASE_PORT", environment);
        int? port = null;
        if (!string.IsNullOrWhiteSpace(portText))
        {
            port = int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed is > 0 and < 65536
                ? parsed
                : throw new KolibriDatabaseException(DatabaseProblem.InvalidSettings, home,
                    $"DATABASE_PORT is '{portText}' for the Kolibri in '{home}' (options.ini [Database] or KOLIBRI_DATABASE_PORT); it must be a TCP port number.");
        }

        return new PostgresSettings(Read(home, "DATABASE_HOST", environment), port, name,
            Read(home, "DATABASE_USER", environment), Read(home, "DATABASE_PASSWORD", environment));
    }

    private static string? Read(string home, string key, IDictionary environment) =>
        environment["KOLIBRI_" + key] is string fromEnvironment && fromEnvironment.Length > 0
            ? fromEnvironment
            : KolibriOptionsFile.Read(Path.Combine(home, OptionsFileName), Section, key);
}
