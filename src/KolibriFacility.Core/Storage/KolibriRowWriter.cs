using KolibriFacility.Core.Ids;
using System.Data.Common;

namespace KolibriFacility.Core.Storage;

/// <summary>
/// Kolibri's auth rows (collections, users, roles, memberships) with their morango bookkeeping, inserted as
/// Kolibri's models store them (docs/Kolibri.md, Morango bookkeeping, Ids and Rows Kolibri writes), with prepared commands inside the caller's transaction: the one
/// place the sandbox and the import write them.
/// </summary>
internal sealed class KolibriRowWriter(KolibriDatabase database, DbTransaction transaction) : IDisposable
{
    private DbCommand? collectionCommand;
    private DbCommand? userCommand;
    private DbCommand? roleCommand;
    private DbCommand? membershipCommand;

    public void InsertCollection(MorangoIdentity identity, string name, string kind, string datasetId, string? parentId)
    {
        collectionCommand ??= Prepare("""
            INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
            VALUES ($id, TRUE, $source, $partition, $name, $kind, $dataset, $parent)
            """, "$id", "$source", "$partition", "$name", "$kind", "$dataset", "$parent");
        Bind(collectionCommand, identity.Id, identity.SourceId, identity.Partition, name, kind, datasetId, parentId);
        collectionCommand.ExecuteNonQuery();
    }

    /// <summary>A user; <paramref name="dateJoined"/> is already in Kolibri's stored timestamp format.</summary>
    public void InsertUser(MorangoIdentity identity, string datasetId, string facilityId, string username, string fullName, string passwordHash,
        string gender, string birthYear, string identifier, string dateJoined)
    {
        userCommand ??= Prepare("""
            INSERT INTO kolibriauth_facilityuser (password, last_login, id, _morango_dirty_bit, _morango_source_id, _morango_partition, username, full_name,
                date_joined, dataset_id, facility_id, birth_year, gender, id_number, extra_demographics)
            VALUES ($password, NULL, $id, TRUE, $source, $partition, $username, $fullName, $joined, $dataset, $facility, $birthYear, $gender, $identifier, NULL)
            """, "$password", "$id", "$source", "$partition", "$username", "$fullName", "$joined", "$dataset", "$facility", "$birthYear", "$gender", "$identifier");
        Bind(userCommand, passwordHash, identity.Id, identity.SourceId, identity.Partition, username, fullName, dateJoined, datasetId, facilityId,
            birthYear, gender, identifier);
        userCommand.ExecuteNonQuery();
    }

    public void InsertRole(MorangoIdentity identity, string datasetId, string userId, string collectionId, string kind)
    {
        roleCommand ??= Prepare("""
            INSERT INTO kolibriauth_role (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id, kind)
            VALUES ($id, TRUE, $source, $partition, $collection, $dataset, $user, $kind)
            """, "$id", "$source", "$partition", "$collection", "$dataset", "$user", "$kind");
        Bind(roleCommand, identity.Id, identity.SourceId, identity.Partition, collectionId, datasetId, userId, kind);
        roleCommand.ExecuteNonQuery();
    }

    public void InsertMembership(MorangoIdentity identity, string datasetId, string userId, string collectionId)
    {
        membershipCommand ??= Prepare("""
            INSERT INTO kolibriauth_membership (id, _morango_dirty_bit, _morango_source_id, _morango_partition, collection_id, dataset_id, user_id)
            VALUES ($id, TRUE, $source, $partition, $collection, $dataset, $user)
            """, "$id", "$source", "$partition", "$collection", "$dataset", "$user");
        Bind(membershipCommand, identity.Id, identity.SourceId, identity.Partition, collectionId, datasetId, userId);
        membershipCommand.ExecuteNonQuery();
    }

    /// <summary>A prepared command in this transaction, its parameters bound in order by <see cref="Bind"/>; the caller disposes it.</summary>
    public DbCommand Prepare(string sql, params string[] parameters)
    {
        var command = database.Command(sql, transaction);
        foreach (var name in parameters)
        {
            command.AddText(name);
        }

        command.Prepare();
        return command;
    }

    /// <summary>Binds values to a prepared command's parameters in order, each with its SQL type (null as NULL).</summary>
    public static void Bind(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            var parameter = command.Parameters[i];
            parameter.DbType = values[i] switch
            {
                double => System.Data.DbType.Double,
                int or long or bool => System.Data.DbType.Int64,
                _ => System.Data.DbType.String,
            };
            parameter.Value = values[i] ?? DBNull.Value;
        }
    }

    /// <summary>Runs one statement in this transaction.</summary>
    public void Execute(string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = database.Command(sql, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        collectionCommand?.Dispose();
        userCommand?.Dispose();
        roleCommand?.Dispose();
        membershipCommand?.Dispose();
    }
}
