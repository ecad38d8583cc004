using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// Registers a facility with a portal project exactly as Kolibri's registerfacility() does: fetch a server nonce,
/// sign it with the facility's owned full-facility certificate (RSA PKCS#1 v1.5, SHA-256), post the form.
/// </summary>
public sealed class PortalRegistrar(PortalClient client)
{
    public async Task RegisterAsync(Facility facility, IReadOnlyList<MorangoCertificate> chain, PortalToken token, CancellationToken cancellation)
    {
        var certificate = chain[^1];
        var nonce = await client.CreateNonceAsync(cancellation).ConfigureAwait(false);
        string signature;
        using (var key = certificate.LoadPrivateKey())
        {
            signature = MorangoCertificate.Sign(key, nonce);
        }

        var form = new FacilityRegistrationForm(facility.Id, nonce, certificate.Id, CertificateChainJson.Serialize(chain), signature);
        await client.RegisterAsync(form, token, cancellation).ConfigureAwait(false);
    }
}
