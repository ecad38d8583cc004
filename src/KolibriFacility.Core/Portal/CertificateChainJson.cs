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
        PythonJson.ArrayOf(chain.Select(c => PythonJson.ObjectOf(
            ("id", PythonJson.StringOf(c.Id)),
            ("parent", PythonJson.StringOf(c.ParentId)),
            ("profile", PythonJson.StringOf(c.Profile)),
            ("scope_definition", PythonJson.StringOf(c.ScopeDefinitionId)),
            ("scope_version", PythonJson.NumberOf(c.ScopeVersion)),
            ("scope_params", PythonJson.StringOf(c.ScopeParams)),
            ("public_key", PythonJson.StringOf(c.PublicKey)),
            ("serialized", PythonJson.StringOf(c.Serialized)),
            ("signature", PythonJson.StringOf(c.Signature)),
            ("salt", PythonJson.StringOf(c.Salt)))));
}
