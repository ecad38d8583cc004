using KolibriFacility.Core.Storage;
using System.Data.Common;

namespace KolibriFacility.Core.Portal;

/// <summary>The only local state of a portal registration: kolibriauth_facilitydataset.registered.</summary>
public static class FacilityRegistrationStore
{
    /// <summary>
    /// Sets registered as Kolibri's PATCH of the dataset leaves it: a morango save, so the dirty bit is set too and
    /// the flag travels to the portal with the next sync. One transaction; fails if the dataset row is missing.
    /// </summary>
    public static void MarkRegistered(string databasePath, string datasetId, TimeSpan? busyTimeout = null)
    {
        try
        {
            Update(databasePath, datasetId, busyTimeout);
        }
        catch (DbException ex) when (SqlParameters.IsBusy(ex))
        {
            throw new KolibriDatabaseException(DatabaseProblem.Busy, databasePath, $"'{databasePath}' stayed locked by another program (is Kolibri in the middle of a write?); the registration flag was not set. The portal has registered the facility: run the command again to record it.", ex);
        }
        catch (DbException ex) when (DbFailures.Classify(ex) == DbFailure.ReadOnly)
        {
            throw new KolibriDatabaseException(DatabaseProblem.ReadOnly, databasePath, $"'{databasePath}' is read-only for this user; the registration flag was not set.", ex);
        }
    }

    private static void Update(string databasePath, string datasetId, TimeSpan? busyTimeout)
    {
        using var db = KolibriDatabase.OpenWrite(databasePath, busyTimeout);
        using var transaction = db.BeginWrite(busyTimeout);
        using var command = db.Command("UPDATE kolibriauth_facilitydataset SET registered = TRUE, _morango_dirty_bit = TRUE WHERE id = $id", transaction);
        command.Parameters.AddWithValue("$id", datasetId);
        var changed = command.ExecuteNonQuery();
        if (changed != 1)
        {
            throw new KolibriDatabaseException(DatabaseProblem.UnsupportedSchema, db.Path, $"The facility dataset {datasetId} is missing from kolibriauth_facilitydataset in '{db.Path}'; nothing was changed.");
        }

        transaction.Commit();
    }
}
