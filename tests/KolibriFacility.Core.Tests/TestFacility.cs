using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Tests;

/// <summary>The (database, facility) pair most Core tests start from.</summary>
internal static class TestFacility
{
    /// <summary>The database's default facility, as a cmdlet without -Facility resolves it.</summary>
    public static Facility DefaultFacility(this KolibriDatabase db) => new FacilityDirectory(db).Resolve(null);
}
