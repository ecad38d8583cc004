using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using KolibriFacility.Core.Ids;

namespace KolibriFacility.Core.Security;

/// <summary>
/// A morango certificate (morango_certificate) with its RSA key: ids, public key strings, serialisation and
/// RSA PKCS#1 v1.5 SHA-256 signatures exactly as morango 0.8 makes them (docs/Kolibri.md, Ids).
/// </summary>
public sealed class MorangoCertificate
{
    /// <summary>The DER prefix that turns a PKCS#1 RSA public key into PKCS#8 SubjectPublicKeyInfo (2048-bit keys).</summary>
    public const string Pkcs8Prefix = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A";

    public required string Id { get; init; }
    public string? ParentId { get; init; }
    public required string Profile { get; init; }
    public string Salt { get; init; } = "";
    public required string ScopeDefinitionId { get; init; }
    public int ScopeVersion { get; init; } = 1;
    public required string ScopeParams { get; init; }
    public required string PublicKey { get; init; }
    public required string Serialized { get; init; }
    public required string Signature { get; init; }
    /// <summary>PEM of the private key, when this device owns the certificate.</summary>
    public string? PrivateKeyPem { get; init; }

    /// <summary>Morango's public key string: base64 of the PKCS#1 DER public key, no PEM armour.</summary>
    public static string PublicKeyString(RSA key) => Convert.ToBase64String(key.ExportRSAPublicKey());

    /// <summary>Parses a public key string (PKCS#1, or PKCS#8 with the standard prefix) into an RSA key.</summary>
    public static RSA ImportPublicKeyString(string publicKey)
    {
        var rsa = RSA.Create();
        var der = Convert.FromBase64String(publicKey);
        if (publicKey.StartsWith(Pkcs8Prefix, StringComparison.Ordinal))
        {
            rsa.ImportSubjectPublicKeyInfo(der, out _);
        }
        else
        {
            rsa.ImportRSAPublicKey(der, out _);
        }

        return rsa;
    }

    /// <summary>Certificate id: sha256(public key string ":" profile [":" salt]) first 32 hex.</summary>
    public static string CalculateId(string publicKeyString, string profile, string salt)
    {
        var text = publicKeyString + ":" + profile + (salt.Length > 0 ? ":" + salt : "");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 16).ToLowerInvariant();
    }

    /// <summary>Morango's serialisation (field order as morango writes it; json.dumps separators ", " and ": ").</summary>
    public static string Serialize(string id, string? parentId, string profile, string salt, string scopeDefinitionId, int scopeVersion, string scopeParams, string publicKey) =>
        "{" + string.Join(", ",
            Pair("id", Json(id)),
            Pair("parent_id", parentId is null ? "null" : Json(parentId)),
            Pair("profile", Json(profile)),
            Pair("salt", Json(salt)),
            Pair("scope_definition_id", Json(scopeDefinitionId)),
            Pair("scope_version", scopeVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Pair("scope_params", Json(scopeParams)),
            Pair("public_key_string", Json(publicKey))) + "}";

    /// <summary>RSA PKCS#1 v1.5 SHA-256 signature of a UTF-8 message, base64 without newlines.</summary>
    public static string Sign(RSA key, string message) =>
        Convert.ToBase64String(key.SignData(Encoding.UTF8.GetBytes(message), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    public static bool VerifySignature(string publicKeyString, string message, string signature)
    {
        using var rsa = ImportPublicKeyString(publicKeyString);
        return rsa.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>PEM as morango stores private keys (PKCS#1, trailing newline).</summary>
    public static string PrivateKeyToPem(RSA key) => key.ExportRSAPrivateKeyPem() + "\n";

    public RSA LoadPrivateKey()
    {
        if (string.IsNullOrEmpty(PrivateKeyPem))
        {
            throw new InvalidOperationException($"Certificate {Id} has no private key on this device.");
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(PrivateKeyPem);
        return rsa;
    }

    /// <summary>Makes a new self-signed facility root certificate (scope full-facility, profile facilitydata).</summary>
    public static MorangoCertificate NewFacilityRoot(int keySize = 2048)
    {
        using var rsa = RSA.Create(keySize);
        var publicKey = PublicKeyString(rsa);
        const string profile = "facilitydata";
        var id = CalculateId(publicKey, profile, "");
        var scopeParams = "{\"dataset_id\": \"" + id + "\"}";
        var serialized = Serialize(id, null, profile, "", "full-facility", 1, scopeParams, publicKey);
        return new MorangoCertificate
        {
            Id = id,
            ParentId = null,
            Profile = profile,
            ScopeDefinitionId = "full-facility",
            ScopeParams = scopeParams,
            PublicKey = publicKey,
            Serialized = serialized,
            Signature = Sign(rsa, serialized),
            PrivateKeyPem = PrivateKeyToPem(rsa),
        };
    }

    /// <summary>The facility's dataset identity that goes with a root certificate.</summary>
    public MorangoIdentity DatasetIdentity() => MorangoId.ForFacilityDataset(Id);

    private static string Pair(string name, string value) => "\"" + name + "\": " + value;

    // Python json.dumps escapes non-ASCII as \uXXXX; certificate fields are ASCII, so plain JSON string escaping suffices.
    private static readonly JsonSerializerOptions PythonLikeJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(string value) => JsonSerializer.Serialize(value, PythonLikeJson);
}
