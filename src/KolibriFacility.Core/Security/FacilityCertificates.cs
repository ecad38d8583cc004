using System.Text.Json;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Storage;
using System.Data.Common;

namespace KolibriFacility.Core.Security;

/// <summary>
/// A facility's certificates in morango_certificate (an MPTT tree whose root id is the facility's dataset id), read
/// the way Kolibri's FacilityDataset.get_owned_certificates() and Certificate.get_ancestors() see them.
/// </summary>
public sealed class FacilityCertificates(KolibriDatabase database)
{
    public const string FullFacilityScope = "full-facility";

    private const string Columns = "id, parent_id, profile, salt, scope_definition_id, scope_version, scope_params, public_key, serialized, signature, private_key, tree_id, lft, rght";

    /// <summary>
    /// The first certificate of the facility's tree with scope full-facility whose private key this device holds
    /// (normally the self-signed root that Kolibri made when the facility was created here).
    /// </summary>
    public MorangoCertificate? FindOwnedFullFacility(string datasetId)
    {
        using var command = database.Command($"""
            SELECT {Columns} FROM morango_certificate
            WHERE tree_id = (SELECT tree_id FROM morango_certificate WHERE id = $dataset)
              AND private_key IS NOT NULL AND scope_definition_id = $scope
            ORDER BY tree_id, lft
            LIMIT 1
            """);
        command.Parameters.AddWithValue("$dataset", datasetId);
        command.Parameters.AddWithValue("$scope", FullFacilityScope);
        using var reader = command.ExecuteReader();
        return reader.Read() ? ReadCertificate(reader) : null;
    }

    /// <summary>The certificate's ancestors and itself, root first (morango's get_ancestors(include_self=True)).</summary>
    public IReadOnlyList<MorangoCertificate> GetChain(MorangoCertificate certificate)
    {
        using var command = database.Command($"""
            SELECT {Columns} FROM morango_certificate
            WHERE tree_id = (SELECT tree_id FROM morango_certificate WHERE id = $id)
              AND lft <= (SELECT lft FROM morango_certificate WHERE id = $id)
              AND rght >= (SELECT rght FROM morango_certificate WHERE id = $id)
            ORDER BY lft
            """);
        command.Parameters.AddWithValue("$id", certificate.Id);
        using var reader = command.ExecuteReader();
        var chain = new List<MorangoCertificate>();
        while (reader.Read())
        {
            chain.Add(ReadCertificate(reader));
        }

        return chain;
    }

    /// <summary>
    /// The owned full-facility certificate and its chain, checked before anything is sent: every id must be
    /// sha256(public key:profile[:salt]), every serialisation must match its fields and every signature must verify
    /// with the parent's key (the root's with its own).
    /// </summary>
    public IReadOnlyList<MorangoCertificate> GetVerifiedOwnedChain(string datasetId, string facilityName)
    {
        var owned = FindOwnedFullFacility(datasetId)
            ?? throw new PortalException(PortalProblem.NoOwnedCertificate,
                $"This device does not own a certificate for Facility: {facilityName}. Only the device where the facility was created (or one holding its root certificate's private key) can register it with the Kolibri Data Portal.");
        var chain = GetChain(owned);
        Verify(chain);
        return chain;
    }

    /// <summary>Throws PortalException(BrokenCertificateChain) naming the first certificate that does not verify.</summary>
    public static void Verify(IReadOnlyList<MorangoCertificate> chain)
    {
        if (chain.Count == 0 || chain[0].ParentId is not null)
        {
            throw new PortalException(PortalProblem.BrokenCertificateChain, "The certificate chain in morango_certificate does not start at a root certificate.");
        }

        for (var i = 0; i < chain.Count; i++)
        {
            var cert = chain[i];
            var signer = i == 0 ? cert : chain[i - 1];
            string? problem = null;
            if (i > 0 && cert.ParentId != signer.Id)
            {
                problem = $"its parent is {cert.ParentId}, not {signer.Id}";
            }
            else if (MorangoCertificate.CalculateId(cert.PublicKey, cert.Profile, cert.Salt) != cert.Id)
            {
                problem = "its id is not sha256(public key:profile[:salt])";
            }
            else if (cert.Serialized != MorangoCertificate.Serialize(cert.Id, cert.ParentId, cert.Profile, cert.Salt, cert.ScopeDefinitionId, cert.ScopeVersion, cert.ScopeParams, cert.PublicKey))
            {
                problem = "its serialized text does not match its fields";
            }
            else if (!SignatureVerifies(signer.PublicKey, cert.Serialized, cert.Signature))
            {
                problem = $"its signature does not verify with the key of {signer.Id}";
            }

            if (problem is not null)
            {
                throw new PortalException(PortalProblem.BrokenCertificateChain, $"Certificate {cert.Id} in morango_certificate is not valid: {problem}. Kolibri and the portal would reject it too.");
            }
        }
    }

    /// <summary>The dataset id a certificate's scope_params name (morango's primary partition).</summary>
    public static string? DatasetIdOf(MorangoCertificate certificate)
    {
        using var json = JsonDocument.Parse(certificate.ScopeParams);
        return json.RootElement.TryGetProperty("dataset_id", out var id) ? id.GetString() : null;
    }

    private static bool SignatureVerifies(string publicKey, string message, string signature)
    {
        try
        {
            return MorangoCertificate.VerifySignature(publicKey, message, signature);
        }
        catch (Exception ex) when (ex is FormatException or System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static MorangoCertificate ReadCertificate(DbDataReader reader) => new()
    {
        Id = reader.GetString(reader.GetOrdinal("id")),
        ParentId = reader.IsDBNull(reader.GetOrdinal("parent_id")) ? null : reader.GetString(reader.GetOrdinal("parent_id")),
        Profile = reader.GetString(reader.GetOrdinal("profile")),
        Salt = reader.GetString(reader.GetOrdinal("salt")),
        ScopeDefinitionId = reader.GetString(reader.GetOrdinal("scope_definition_id")),
        ScopeVersion = reader.GetInt32(reader.GetOrdinal("scope_version")),
        ScopeParams = reader.GetString(reader.GetOrdinal("scope_params")),
        PublicKey = reader.GetString(reader.GetOrdinal("public_key")),
        Serialized = reader.GetString(reader.GetOrdinal("serialized")),
        Signature = reader.GetString(reader.GetOrdinal("signature")),
        PrivateKeyPem = reader.IsDBNull(reader.GetOrdinal("private_key")) ? null : reader.GetString(reader.GetOrdinal("private_key")),
    };
}
