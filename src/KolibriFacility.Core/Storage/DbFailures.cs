using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Storage;

/// <summary>What went wrong in a database statement, independent of the engine that reported it.</summary>
public enum DbFailure
{
    Other,

    /// <summary>Another connection holds the lock this statement needs.</summary>
    Busy,

    /// <summary>The database (or the user's access to it) is read-only.</summary>
    ReadOnly,

    /// <summary>The disk holding the database is full.</summary>
    DiskFull,

    /// <summary>SQLite could not open or create a file beside the database (its journal).</summary>
    CannotOpen,

    /// <summary>The file is not an SQLite database, or its pages are damaged.</summary>
    Damaged,

    /// <summary>A foreign key points at no row (PostgreSQL checks Kolibri's deferred keys at commit).</summary>
    ForeignKey,
}

/// <summary>The one place that reads the engines' error codes.</summary>
public static class DbFailures
{
    public static DbFailure Classify(DbException? exception) => exception switch
    {
        SqliteException { SqliteErrorCode: 5 /* SQLITE_BUSY */ or 6 /* SQLITE_LOCKED */ } => DbFailure.Busy,
        SqliteException { SqliteErrorCode: 8 /* SQLITE_READONLY */ } => DbFailure.ReadOnly,
        SqliteException { SqliteErrorCode: 13 /* SQLITE_FULL */ } => DbFailure.DiskFull,
        SqliteException { SqliteErrorCode: 14 /* SQLITE_CANTOPEN */ } => DbFailure.CannotOpen,
        SqliteException { SqliteErrorCode: 11 /* SQLITE_CORRUPT */ or 26 /* SQLITE_NOTADB */ } => DbFailure.Damaged,
        // lock_not_available (lock_timeout), deadlock_detected, serialization_failure: another writer won.
        Npgsql.PostgresException { SqlState: "55P03" or "40P01" or "40001" } => DbFailure.Busy,
        Npgsql.PostgresException { SqlState: "25006" /* read_only_sql_transaction */ or "42501" /* insufficient_privilege */ } => DbFailure.ReadOnly,
        Npgsql.PostgresException { SqlState: "53100" /* disk_full */ } => DbFailure.DiskFull,
        Npgsql.PostgresException { SqlState: "23503" /* foreign_key_violation */ } => DbFailure.ForeignKey,
        _ => DbFailure.Other,
    };
}
