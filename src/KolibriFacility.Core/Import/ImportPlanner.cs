using KolibriFacility.Core.Model;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Storage;
using System.Data.Common;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Computes what importing a users CSV into a facility does, from a few queries and set operations in memory:
/// no per-row queries, no password hashing, no writes. Get-FacilityImportPlan and Import-FacilityUsers share it,
/// and the applier runs it again inside its write transaction to prove nothing changed meanwhile.
/// </summary>
public sealed class ImportPlanner
{
    private readonly KolibriDatabase database;
    private readonly DbTransaction? transaction;

    public ImportPlanner(KolibriDatabase database)
        : this(database, null)
    {
    }

    internal ImportPlanner(KolibriDatabase database, DbTransaction? transaction)
    {
        this.database = database;
        this.transaction = transaction;
    }

    public ImportPlan Plan(Facility facility, UsersCsvDocument document, ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Plan(facility, PlanSource.FromCsv(document), options);
    }

    /// <summary>Plans a CSV document or a set of edits (<see cref="FacilityEdits"/>) with the same rules.</summary>
    public ImportPlan Plan(Facility facility, PlanSource source, ImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(facility);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(options);
        var snapshot = FacilitySnapshot.Load(database, transaction, facility);
        return new ImportPlanBuilder(snapshot, source.Input(snapshot), options).Build(database.Path);
    }
}
