namespace KolibriFacility.Tests;

/// <summary>The tests that need the private PostgreSQL server share one per test run (per test assembly).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
