using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// The SQL text that differs between SQLite and PostgreSQL, for the statements Core builds. Values need no dialect:
/// both engines' readers give ids as 32 hex digits, booleans, numbers and Django's datetimes as SQLite's text
/// (<see cref="Postgres.PostgresDataReader"/>), and parameters bind as <c>$name</c> on both.
/// </summary>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();
    public static readonly SqlDialect PostgreSql = new PostgreSqlDialect();

    public abstract DatabaseEngine Engine { get; }

    /// <summary>The table's physical (insertion) order, which Kolibri's unordered queries return: SQLite's rowid, PostgreSQL's ctid.</summary>
    public abstract string RowOrder(string tableAlias);

    /// <summary>
    /// Concatenates <paramref name="expression"/> over a group with the unit separator (U+001F) between values, in the
    /// order of <paramref name="orderBy"/> when given (an aggregate's ORDER BY: PostgreSQL, SQLite 3.44 and later).
    /// </summary>
    public string JoinWithUnitSeparator(string expression, string? orderBy = null) =>
        JoinFunction + "(" + expression + ", " + UnitSeparator + (orderBy is null ? "" : " ORDER BY " + orderBy) + ")";

    private protected abstract string JoinFunction { get; }

    private protected abstract string UnitSeparator { get; }

    /// <summary>
    /// The order of a user's class names in Kolibri's export (its GROUP_CONCAT/STRING_AGG subqueries have no ORDER BY):
    /// SQLite walks the membership's (user_id, collection_id) index, so by class id; PostgreSQL scans the classes in
    /// table order. <paramref name="linkColumn"/> is the membership's or role's collection_id, <paramref name="classAlias"/> the class.
    /// It is the ORDER BY of the <see cref="JoinWithUnitSeparator"/> that lists the classes.
    /// </summary>
    public abstract string ClassOrder(string linkColumn, string classAlias);

    /// <summary>
    /// The <c>AS</c> of a WITH query computed once however often the statement uses it: SQLite's <c>AS MATERIALIZED</c>
    /// (without it, SQLite 3.53 took about as long as running the query for each use); PostgreSQL materializes a WITH query used
    /// more than once by itself, and servers before 12 do not know the keyword.
    /// </summary>
    public abstract string MaterializedAs { get; }

    /// <summary>An ORDER BY key that compares like SQLite's NOCASE (ASCII letters folded, otherwise by code point).</summary>
    public abstract string NoCase(string expression);

    /// <summary>
    /// The column, kept off its index where SQLite would otherwise prefer that index to a better plan (a scan in table
    /// order, or another index's order). SQLite's unary plus; PostgreSQL needs no hint: its planner costs both, and
    /// its order is fixed by <see cref="RowOrder"/>.
    /// </summary>
    public abstract string Unindexed(string column);

    /// <summary>
    /// The foreign keys of a table that point at another table's <c>id</c>: rows of (referenced table, referencing
    /// column); binds <c>$table</c>.
    /// </summary>
    internal abstract string ForeignKeysQuery { get; }

    /// <summary>
    /// The SQL that ends an INSERT of a whole row with the row's physical address (SQLite's rowid, to check its
    /// foreign keys afterwards); empty where the engine checks foreign keys itself (PostgreSQL, at commit).
    /// </summary>
    internal abstract string ReturningRowAddress { get; }

    /// <summary>
    /// A row value (as SQLite stores it: long, double, string, byte[]) as it is bound into a column of any type:
    /// SQLite takes it as it is; PostgreSQL gets numbers as untyped text, so that the column's type (integer,
    /// boolean, real, uuid) reads it as Kolibri's own SQL literal would be read.
    /// </summary>
    internal abstract object? ColumnValue(object? value);

    /// <summary>The dialect of an open connection.</summary>
    public static SqlDialect Of(DbConnection connection) => connection is SqliteConnection ? Sqlite : PostgreSql;

    /// <summary>A command on the connection that takes Core's SQL and gives values as Core reads them (see the class summary).</summary>
    internal abstract DbCommand CreateCommand(DbConnection connection);

    /// <summary>The names of the database's tables (SQLite's own sqlite_* tables included).</summary>
    internal abstract string TablesQuery { get; }

    /// <summary>The names of a table's columns; binds <c>$table</c>.</summary>
    internal abstract string ColumnsQuery { get; }

    private sealed class SqliteDialect : SqlDialect
    {
        public override DatabaseEngine Engine => DatabaseEngine.Sqlite;

        public override string RowOrder(string tableAlias) => tableAlias + ".rowid";

        private protected override string JoinFunction => "group_concat";

        private protected override string UnitSeparator => "char(31)";

        public override string ClassOrder(string linkColumn, string classAlias) => linkColumn;

        public override string MaterializedAs => "AS MATERIALIZED";

        public override string NoCase(string expression) => expression + " COLLATE NOCASE";

        public override string Unindexed(string column) => "+" + column;

        internal override DbCommand CreateCommand(DbConnection connection) => connection.CreateCommand();

        internal override string TablesQuery => "SELECT name FROM sqlite_master WHERE type = 'table'";

        internal override string ColumnsQuery => "SELECT name FROM pragma_table_info($table)";

        internal override string ForeignKeysQuery => "SELECT \"table\", \"from\" FROM pragma_foreign_key_list($table) WHERE coalesce(\"to\", 'id') = 'id'";

        internal override string ReturningRowAddress => " RETURNING rowid";

        internal override object? ColumnValue(object? value) => value;
    }

    private sealed class PostgreSqlDialect : SqlDialect
    {
        public override DatabaseEngine Engine => DatabaseEngine.PostgreSql;

        public override string RowOrder(string tableAlias) => tableAlias + ".ctid";

        private protected override string JoinFunction => "string_agg";

        private protected override string UnitSeparator => "chr(31)";

        public override string ClassOrder(string linkColumn, string classAlias) => classAlias + ".ctid";

        public override string MaterializedAs => "AS";

        internal override DbCommand CreateCommand(DbConnection connection) =>
            new Postgres.PostgresCommand(((Npgsql.NpgsqlConnection)connection).CreateCommand());

        // lower() under the C collation folds ASCII only, and "C" orders by code point: SQLite's NOCASE exactly.
        public override string NoCase(string expression) => "lower(" + expression + " COLLATE \"C\")";

        public override string Unindexed(string column) => column;

        // Kolibri keeps every table in schema public (Django's default search_path). The catalogs, not
        // information_schema, whose column view takes some 50 ms a query.
        internal override string TablesQuery => """
            SELECT c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            """;

        internal override string ColumnsQuery => """
            SELECT a.attname::text FROM pg_catalog.pg_attribute a
            JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relname = $table AND a.attnum > 0 AND NOT a.attisdropped
            """;

        // Django declares one-column foreign keys only.
        internal override string ForeignKeysQuery => """
            SELECT p.relname::text, a.attname::text FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_class c ON c.oid = k.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            JOIN pg_catalog.pg_class p ON p.oid = k.confrelid
            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
            JOIN pg_catalog.pg_attribute pa ON pa.attrelid = k.confrelid AND pa.attnum = k.confkey[1]
            WHERE k.contype = 'f' AND n.nspname = 'public' AND c.relname = $table AND pa.attname = 'id'
            """;

        internal override string ReturningRowAddress => "";

        internal override object? ColumnValue(object? value) => value switch
        {
            long or int or double => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
            _ => value,
        };
    }
}
