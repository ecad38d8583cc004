using System.Collections;
using System.Data.Common;
using System.Globalization;

namespace KolibriFacility.Core.Storage.Postgres;

/// <summary>
/// Npgsql's reader with values converted by <see cref="PostgresValues"/> and numbers and booleans read the lenient
/// way SQLite's reader does (COUNT(*) as an int, a boolean as a number), so one row reader serves both engines.
/// </summary>
internal sealed class PostgresDataReader(DbDataReader inner) : DbDataReader
{
    public override object this[int ordinal] => GetValue(ordinal);

    public override object this[string name] => GetValue(GetOrdinal(name));

    public override int Depth => inner.Depth;

    public override int FieldCount => inner.FieldCount;

    public override bool HasRows => inner.HasRows;

    public override bool IsClosed => inner.IsClosed;

    public override int RecordsAffected => inner.RecordsAffected;

    public override bool Read() => inner.Read();

    public override bool NextResult() => inner.NextResult();

    public override bool IsDBNull(int ordinal) => inner.IsDBNull(ordinal);

    public override string GetName(int ordinal) => inner.GetName(ordinal);

    public override int GetOrdinal(string name) => inner.GetOrdinal(name);

    public override string GetDataTypeName(int ordinal) => inner.GetDataTypeName(ordinal);

    public override Type GetFieldType(int ordinal) => PostgresValues.FieldType(inner.GetFieldType(ordinal));

    public override object GetValue(int ordinal) => PostgresValues.FromProvider(inner.GetValue(ordinal));

    public override int GetValues(object[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var count = Math.Min(values.Length, FieldCount);
        for (var i = 0; i < count; i++)
        {
            values[i] = GetValue(i);
        }

        return count;
    }

    public override string GetString(int ordinal) => GetValue(ordinal) switch
    {
        string text => text,
        var other => Convert.ToString(other, CultureInfo.InvariantCulture)!,
    };

    public override bool GetBoolean(int ordinal) => GetValue(ordinal) switch
    {
        bool flag => flag,
        var other => Convert.ToInt64(other, CultureInfo.InvariantCulture) != 0,
    };

    public override byte GetByte(int ordinal) => Convert.ToByte(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override short GetInt16(int ordinal) => Convert.ToInt16(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override int GetInt32(int ordinal) => Convert.ToInt32(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override long GetInt64(int ordinal) => Convert.ToInt64(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override double GetDouble(int ordinal) => Convert.ToDouble(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override float GetFloat(int ordinal) => Convert.ToSingle(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override decimal GetDecimal(int ordinal) => Convert.ToDecimal(GetValue(ordinal), CultureInfo.InvariantCulture);

    public override DateTime GetDateTime(int ordinal) => inner.GetDateTime(ordinal);

    public override Guid GetGuid(int ordinal) => inner.GetGuid(ordinal);

    public override char GetChar(int ordinal) => GetString(ordinal)[0];

    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) =>
        inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);

    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) =>
        inner.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);

    public override T GetFieldValue<T>(int ordinal) => typeof(T) == typeof(object) || typeof(T) == typeof(string)
        ? (T)GetValue(ordinal)
        : inner.GetFieldValue<T>(ordinal);

    public override IEnumerator GetEnumerator() => new DbEnumerator(this, closeReader: false);

    public override void Close() => inner.Close();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
