using KolibriFacility.Core.Security;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// The certificate_chain form field: json.dumps of morango's CertificateSerializer(many=True) data, root first, with
/// the serializer's fields in its order (id, parent, profile, scope_definition, scope_version, scope_params,
/// public_key, serialized, signature, salt).
/// </summary>
public static class CertificateChainJson
{
    public static string Serialize(IEnumerable<MorangoCertificate> chain) =>
        PythonJson.Array(chain.Select(c => PythonJson.Object(
            ("id", PythonJson.String(c.Id)),
            ("parent", PythonJson.String(c.ParentId)),
            ("profile", PythonJson.String(c.Profile)),
            ("scope_definition", PythonJson.String(c.ScopeDefinitionId)),
            ("scope_version", PythonJson.Number(c.ScopeVersion)),
            ("scope_params", PythonJson.String(c.ScopeParams)),
            ("public_key", PythonJson.String(c.PublicKey)),
            ("serialized", PythonJson.String(c.Serialized)),
            ("signature", PythonJson.String(c.Signature)),
            ("salt", PythonJson.String(c.Salt)))));
}
