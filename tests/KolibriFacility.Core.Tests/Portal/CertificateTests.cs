using System.Security.Cryptography;
using System.Text.Json;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

/// <summary>The fixture's real facility root certificate (made by Kolibri 0.17.5) against our certificate code.</summary>
public sealed class CertificateTests : IDisposable
{
    private const string DatasetId = "e53af19467e2a90b59f255d539e476a6";
    private readonly TempFolder home = new();
    private readonly KolibriDatabase db;
    private readonly MorangoCertificate root;

    public CertificateTests()
    {
        db = KolibriDatabase.OpenRead(home.CopyFixtureDatabase());
        root = new FacilityCertificates(db).FindOwnedFullFacility(DatasetId)!;
    }

    public void Dispose()
    {
        db.Dispose();
        home.Dispose();
    }

    [Fact]
    public void The_owned_full_facility_certificate_is_the_root_whose_id_is_the_dataset_id()
    {
        Assert.NotNull(root);
        Assert.Equal(DatasetId, root.Id);
        Assert.Null(root.ParentId);
        Assert.Equal("facilitydata", root.Profile);
        Assert.Equal("full-facility", root.ScopeDefinitionId);
        Assert.Equal("", root.Salt);
        Assert.Equal(DatasetId, FacilityCertificates.DatasetIdOf(root));
        Assert.StartsWith("-----BEGIN RSA PRIVATE KEY-----", root.PrivateKeyPem);
    }

    [Fact]
    public void The_id_is_sha256_of_public_key_and_profile()
    {
        Assert.Equal(root.Id, MorangoCertificate.CalculateId(root.PublicKey, root.Profile, root.Salt));
    }

    [Fact]
    public void The_serialized_text_is_rebuilt_exactly_from_the_fields()
    {
        Assert.Equal(root.Serialized, MorangoCertificate.Serialize(root.Id, root.ParentId, root.Profile, root.Salt, root.ScopeDefinitionId, root.ScopeVersion, root.ScopeParams, root.PublicKey));
    }

    [Fact]
    public void The_stored_signature_verifies_over_the_serialized_text()
    {
        Assert.True(MorangoCertificate.VerifySignature(root.PublicKey, root.Serialized, root.Signature));
        Assert.False(MorangoCertificate.VerifySignature(root.PublicKey, root.Serialized + " ", root.Signature));
    }

    [Fact]
    public void Re_signing_with_the_stored_private_key_gives_identical_bytes_because_pkcs1_v15_is_deterministic()
    {
        using var key = root.LoadPrivateKey();
        var again = MorangoCertificate.Sign(key, root.Serialized);
        Assert.Equal(root.Signature, again);
        Assert.Equal(256, Convert.FromBase64String(again).Length); // RSA-2048
    }

    [Fact]
    public void The_public_key_string_is_base64_pkcs1_der_and_the_pkcs8_form_is_the_standard_prefix_plus_it()
    {
        using var key = root.LoadPrivateKey();
        Assert.Equal(2048, key.KeySize);
        Assert.Equal(root.PublicKey, MorangoCertificate.PublicKeyString(key));
        Assert.Equal(MorangoCertificate.Pkcs8Prefix + root.PublicKey, Convert.ToBase64String(key.ExportSubjectPublicKeyInfo()));
        Assert.DoesNotContain("\n", root.PublicKey);

        using var fromPkcs1 = MorangoCertificate.ImportPublicKeyString(root.PublicKey);
        using var fromPkcs8 = MorangoCertificate.ImportPublicKeyString(MorangoCertificate.Pkcs8Prefix + root.PublicKey);
        Assert.Equal(key.ExportParameters(false).Modulus, fromPkcs1.ExportParameters(false).Modulus);
        Assert.Equal(key.ExportParameters(false).Modulus, fromPkcs8.ExportParameters(false).Modulus);
        Assert.Equal(new byte[] { 1, 0, 1 }, fromPkcs1.ExportParameters(false).Exponent);
    }

    [Fact]
    public void A_nonce_signature_verifies_with_the_public_key_only()
    {
        using var key = root.LoadPrivateKey();
        var signature = MorangoCertificate.Sign(key, "0123456789abcdef0123456789abcdef");
        using var publicOnly = RSA.Create();
        publicOnly.ImportRSAPublicKey(Convert.FromBase64String(root.PublicKey), out _);
        Assert.True(publicOnly.VerifyData("0123456789abcdef0123456789abcdef"u8.ToArray(), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void The_verified_chain_of_the_fixture_is_its_root_alone()
    {
        var chain = new FacilityCertificates(db).GetVerifiedOwnedChain(DatasetId, "Demo Facility");
        Assert.Equal(DatasetId, Assert.Single(chain).Id);
    }

    [Fact]
    public void A_tampered_certificate_is_refused_before_anything_is_sent()
    {
        var tampered = new MorangoCertificate
        {
            Id = root.Id, Profile = root.Profile, ScopeDefinitionId = root.ScopeDefinitionId, ScopeParams = root.ScopeParams,
            PublicKey = root.PublicKey, Serialized = root.Serialized.Replace("full-facility", "single-user", StringComparison.Ordinal), Signature = root.Signature,
        };
        var ex = Assert.Throws<PortalException>(() => FacilityCertificates.Verify([tampered]));
        Assert.Equal(PortalProblem.BrokenCertificateChain, ex.Problem);
        Assert.Contains(root.Id, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generated_child_certificate_chains_to_the_fixture_root()
    {
        using var rootKey = root.LoadPrivateKey();
        using var childKey = RSA.Create(2048);
        var publicKey = MorangoCertificate.PublicKeyString(childKey);
        const string salt = "0f0e0d0c0b0a09080706050403020100";
        var id = MorangoCertificate.CalculateId(publicKey, "facilitydata", salt);
        var serialized = MorangoCertificate.Serialize(id, root.Id, "facilitydata", salt, "full-facility", 1, root.ScopeParams, publicKey);
        var child = new MorangoCertificate
        {
            Id = id, ParentId = root.Id, Profile = "facilitydata", Salt = salt, ScopeDefinitionId = "full-facility", ScopeParams = root.ScopeParams,
            PublicKey = publicKey, Serialized = serialized, Signature = MorangoCertificate.Sign(rootKey, serialized),
        };
        FacilityCertificates.Verify([root, child]);
        Assert.Throws<PortalException>(() => FacilityCertificates.Verify([child]));
    }

    [Fact]
    public void The_certificate_chain_field_is_json_dumps_of_morangos_serializer_fields_in_order()
    {
        var json = CertificateChainJson.Serialize([root]);
        Assert.StartsWith("[{\"id\": \"" + DatasetId + "\", \"parent\": null, \"profile\": \"facilitydata\", \"scope_definition\": \"full-facility\", \"scope_version\": 1, \"scope_params\": \"{\\\"dataset_id\\\": ", json, StringComparison.Ordinal);
        using var parsed = JsonDocument.Parse(json);
        var cert = Assert.Single(parsed.RootElement.EnumerateArray());
        Assert.Equal(["id", "parent", "profile", "scope_definition", "scope_version", "scope_params", "public_key", "serialized", "signature", "salt"], cert.EnumerateObject().Select(p => p.Name));
        Assert.Equal(root.Serialized, cert.GetProperty("serialized").GetString());
        Assert.Equal(root.Signature, cert.GetProperty("signature").GetString());
        Assert.Equal(root.PublicKey, cert.GetProperty("public_key").GetString());
        Assert.EndsWith("\"salt\": \"\"}]", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Python_json_escaping_matches_json_dumps_with_ensure_ascii()
    {
        // json.dumps('é"/<>&+\n\x01\u20ac') in Python 3
        Assert.Equal("\"\\u00e9\\\"/<>&+\\n\\u0001\\u20ac\"", PythonJson.StringOf("é\"/<>&+\n\u0001€"));
        Assert.Equal("null", PythonJson.StringOf(null));
        Assert.Equal("{\"a\": 1, \"b\": [\"x\", \"y\"]}", PythonJson.ObjectOf(("a", "1"), ("b", PythonJson.ArrayOf([PythonJson.StringOf("x"), PythonJson.StringOf("y")]))));
    }
}
