using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// An Npgsql command that takes Core's SQL as written for both engines: <c>$name</c> parameters become Npgsql's
/// <c>@name</c>; text values and NULLs go to the server untyped, so PostgreSQL reads them as the column's type (a 32-hex id as
/// <c>uuid</c>, as Kolibri's own SQL literals are); results come through <see cref="PostgresDataReader"/>.
/// </summary>
internal sealed partial class PostgresCommand(NpgsqlCommand inner) : DbCommand
{
    [AllowNull]
    public override string CommandText
    {
        get => inner.CommandText;
        set => inner.CommandText = DollarParameter().Replace(value ?? "", "@$1");
    }

    public override int CommandTimeout
    {
        get => inner.CommandTimeout;
        set => inner.CommandTimeout = value;
    }

    public override CommandType CommandType
    {
        get => inner.CommandType;
        set => inner.CommandType = value;
    }

    public override bool DesignTimeVisible
    {
        get => inner.DesignTimeVisible;
        set => inner.DesignTimeVisible = value;
    }

    public override UpdateRowSource UpdatedRowSource
    {
        get => inner.UpdatedRowSource;
        set => inner.UpdatedRowSource = value;
    }

    protected override DbConnection? DbConnection
    {
        get => inner.Connection;
        set => inner.Connection = (NpgsqlConnection?)value;
    }

    protected override DbParameterCollection DbParameterCollection => inner.Parameters;

    protected override DbTransaction? DbTransaction
    {
        get => inner.Transaction;
        set => inner.Transaction = (NpgsqlTransaction?)value;
    }

    public override void Cancel() => inner.Cancel();

    public override int ExecuteNonQuery()
    {
        PrepareParameters();
        return inner.ExecuteNonQuery();
    }

    public override object? ExecuteScalar()
    {
        PrepareParameters();
        return inner.ExecuteScalar() is { } value ? PostgresValues.FromProvider(value) : null;
    }

    public override void Prepare()
    {
        // Npgsql prepares with the parameter types of the first execution; Core prepares before binding values.
    }

    protected override DbParameter CreateDbParameter() => inner.CreateParameter();

    protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior)
    {
        PrepareParameters();
        return new PostgresDataReader(inner.ExecuteReader(behavior));
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void PrepareParameters()
    {
        foreach (NpgsqlParameter parameter in inner.Parameters)
        {
            if (parameter.ParameterName.StartsWith('$'))
            {
                parameter.ParameterName = "@" + parameter.ParameterName[1..];
            }

            // NULL too: a typed text NULL would not go into a uuid, boolean or timestamp column.
            if (parameter.Value is string or DBNull or null)
            {
                parameter.NpgsqlDbType = NpgsqlDbType.Unknown;
            }
        }
    }

    [GeneratedRegex(@"\$([A-Za-z_][A-Za-z0-9_]*)", RegexOptions.CultureInvariant)]
    private static partial Regex DollarParameter();
}
