using System.Security.Cryptography;
using System.Text;

namespace KolibriFacility.Core.Ids;

/// <summary>The id, source id and partition morango stores with every syncable row.</summary>
public readonly record struct MorangoIdentity(string Id, string SourceId, string Partition);

/// <summary>
/// Morango's id algorithm as Kolibri 0.17 (morango 0.8.2) uses it (docs/Kolibri.md, Ids):
/// id = sha2_uuid(partition template with "${id}" still in it, source id, model name).
/// </summary>
public static class MorangoId
{
    private const string IdPlaceholder = "${id}";

    /// <summary>First 32 hex characters of SHA-256 over the UTF-8 of the parts joined with "::".</summary>
    public static string Sha2Uuid(params string[] parts)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join("::", parts)));
        return Convert.ToHexString(bytes, 0, 16).ToLowerInvariant();
    }

    /// <summary>A random source id, as morango uses when a model has no natural one (uuid4 hex).</summary>
    public static string NewSourceId() => Guid.NewGuid().ToString("N");

    public static MorangoIdentity Calculate(string partitionTemplate, string sourceId, string modelName)
    {
        if (sourceId.Length == 0)
        {
            throw new ArgumentException("A morango source id must not be empty.", nameof(sourceId));
        }

        var id = Sha2Uuid(partitionTemplate, sourceId, modelName);
        return new MorangoIdentity(id, sourceId, partitionTemplate.Replace(IdPlaceholder, id, StringComparison.Ordinal));
    }

    public static MorangoIdentity ForUser(string datasetId, string? sourceId = null) =>
        Calculate($"{datasetId}:user-ro:{IdPlaceholder}", sourceId ?? NewSourceId(), "facilityuser");

    /// <summary>A facility, classroom or group collection (model name facility, classroom, learnergroup, adhoclearnersgroup).</summary>
    public static MorangoIdentity ForCollection(string modelName, string datasetId, string? sourceId = null) =>
        Calculate($"{datasetId}:allusers-ro", sourceId ?? NewSourceId(), modelName);

    public static MorangoIdentity ForMembership(string datasetId, string userId, string collectionId) =>
        Calculate($"{datasetId}:user-ro:{userId}", collectionId, "membership");

    public static MorangoIdentity ForRole(string datasetId, string userId, string collectionId, string kind) =>
        Calculate($"{datasetId}:user-ro:{userId}", $"{collectionId}:{kind}", "role");

    public static MorangoIdentity ForContentSessionLog(string datasetId, string? userId, string? sourceId = null) =>
        Calculate(userId is null ? $"{datasetId}:anonymous" : $"{datasetId}:user-rw:{userId}", sourceId ?? NewSourceId(), "contentsessionlog");

    public static MorangoIdentity ForContentSummaryLog(string datasetId, string userId, string contentId) =>
        Calculate($"{datasetId}:user-rw:{userId}", contentId, "contentsummarylog");

    /// <summary>The dataset row: its id is the facility root certificate's id, and so is its source id.</summary>
    public static MorangoIdentity ForFacilityDataset(string rootCertificateId) =>
        new(rootCertificateId, rootCertificateId, $"{rootCertificateId}:allusers-ro");
}
