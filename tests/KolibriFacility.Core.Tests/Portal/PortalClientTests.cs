using System.Net;
using System.Net.Sockets;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Portal;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

/// <summary>The portal client and registrar against the loopback portal stand-in, which verifies signatures itself.</summary>
public sealed class PortalClientTests : IDisposable
{
    private const string DatasetId = "e53af19467e2a90b59f255d539e476a6";
    private const string TypedToken = "kx7qp-m2vd9";
    private readonly TempFolder home = new();
    private readonly PortalStandIn portal = new("Nairobi Learning Centres", "kx7qpm2vd9");
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private readonly Facility facility;
    private readonly IReadOnlyList<MorangoCertificate> chain;

    public PortalClientTests()
    {
        using var db = KolibriDatabase.OpenRead(home.CopyFixtureDatabase());
        facility = db.DefaultFacility();
        chain = new FacilityCertificates(db).GetVerifiedOwnedChain(facility.DatasetId, facility.Name);
    }

    public void Dispose()
    {
        http.Dispose();
        portal.Dispose();
        home.Dispose();
    }

    private PortalClient Client => new(http, portal.BaseUrl);

    [Fact]
    public async Task A_valid_token_names_its_project()
    {
        var project = await Client.ValidateTokenAsync(PortalToken.FromString(TypedToken), CancellationToken.None);
        Assert.Equal("Nairobi Learning Centres", project.Name);
        var request = Assert.Single(portal.Requests);
        Assert.Equal("/portal/api/public/v1/registerfacility/validate_token", request.Path);
        Assert.Equal("?token=kx7qpm2vd9", request.Query);
    }

    [Fact]
    public async Task An_invalid_token_is_InvalidToken_and_the_message_does_not_contain_it()
    {
        var ex = await Assert.ThrowsAsync<PortalException>(() => Client.ValidateTokenAsync(PortalToken.FromString("wrong-token"), CancellationToken.None));
        Assert.Equal(PortalProblem.InvalidToken, ex.Problem);
        Assert.Equal("INVALID_KDP_REGISTRATION_TOKEN", ex.ErrorId);
        Assert.DoesNotContain("wrongtoken", ex.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-token", ex.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Registration_posts_kolibris_form_and_the_stand_in_verifies_the_signature_and_chain()
    {
        await new PortalRegistrar(Client).RegisterAsync(facility, chain, PortalToken.FromString(TypedToken), CancellationToken.None);

        Assert.Empty(portal.Rejections);
        var registration = Assert.Single(portal.Registrations);
        Assert.Equal(facility.Id, registration.FacilityId);
        Assert.Equal(DatasetId, registration.ClientCertificateId);
        Assert.Equal(DatasetId, registration.DatasetId);
        Assert.Equal("kx7qpm2vd9", registration.Token);
        Assert.Equal(["POST /api/morango/v1/nonces/", "POST /portal/api/public/v1/registerfacility/"], portal.Paths);
        var form = portal.Requests[1];
        Assert.StartsWith("application/x-www-form-urlencoded", form.ContentType, StringComparison.Ordinal);
        Assert.Equal(["facility_id", "server_nonce", "client_certificate_id", "certificate_chain", "token", "signature"], form.Form.Keys);
    }

    [Fact]
    public async Task A_portal_under_a_path_gets_every_request_under_that_path_as_kolibris_join_url_sends_them()
    {
        // Kolibri joins each endpoint to DATA_PORTAL_SYNCING_BASE_URL with urljoin after dropping its leading '/',
        // so a portal at http://host/kdp/ gets /kdp/api/morango/v1/nonces/ too (issue 16.5b: the nonce went to the root).
        using var underPath = PortalStandIn.UnderPath("/kdp/", "Nairobi Learning Centres", "kx7qpm2vd9");
        var client = new PortalClient(http, underPath.PortalUrl);
        var project = await client.ValidateTokenAsync(PortalToken.FromString(TypedToken), CancellationToken.None);
        await new PortalRegistrar(client).RegisterAsync(facility, chain, PortalToken.FromString(TypedToken), CancellationToken.None);

        Assert.Equal("Nairobi Learning Centres", project.Name);
        Assert.Equal(["GET /kdp/portal/api/public/v1/registerfacility/validate_token", "POST /kdp/api/morango/v1/nonces/", "POST /kdp/portal/api/public/v1/registerfacility/"], underPath.Paths);
        Assert.Empty(underPath.Rejections);
        Assert.Single(underPath.Registrations);
    }

    [Fact]
    public async Task A_signature_by_another_key_is_refused_by_the_stand_in()
    {
        var impostor = MorangoCertificate.NewFacilityRoot();
        var forged = new MorangoCertificate
        {
            Id = chain[0].Id, Profile = chain[0].Profile, ScopeDefinitionId = chain[0].ScopeDefinitionId, ScopeParams = chain[0].ScopeParams,
            PublicKey = chain[0].PublicKey, Serialized = chain[0].Serialized, Signature = chain[0].Signature, PrivateKeyPem = impostor.PrivateKeyPem,
        };
        var ex = await Assert.ThrowsAsync<PortalException>(() => new PortalRegistrar(Client).RegisterAsync(facility, [forged], PortalToken.FromString(TypedToken), CancellationToken.None));
        Assert.Equal(PortalProblem.PortalError, ex.Problem);
        Assert.Contains("signature of the server nonce does not verify", Assert.Single(portal.Rejections), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Portal_error_ids_map_to_problems()
    {
        portal.RegisteredFacilities.Add(facility.Id);
        var already = await Assert.ThrowsAsync<PortalException>(() => new PortalRegistrar(Client).RegisterAsync(facility, chain, PortalToken.FromString(TypedToken), CancellationToken.None));
        Assert.Equal(PortalProblem.AlreadyRegistered, already.Problem);
        Assert.Equal("ALREADY_REGISTERED_FOR_COMMUNITY", already.ErrorId);
        Assert.Equal(400, already.StatusCode);

        portal.RegisteredFacilities.Clear();
        portal.RequireSyncBeforeRegistration = true;
        var unknown = await Assert.ThrowsAsync<PortalException>(() => new PortalRegistrar(Client).RegisterAsync(facility, chain, PortalToken.FromString(TypedToken), CancellationToken.None));
        Assert.Equal(PortalProblem.FacilityDoesNotExist, unknown.Problem);
        Assert.Contains("Facility does not exist on the server", unknown.Message, StringComparison.Ordinal);
        Assert.Empty(portal.Rejections);
    }

    [Fact]
    public async Task A_portal_in_trouble_is_a_PortalError_with_the_status()
    {
        portal.FailAllWithStatus = 500;
        var ex = await Assert.ThrowsAsync<PortalException>(() => Client.CreateNonceAsync(CancellationToken.None));
        Assert.Equal(PortalProblem.PortalError, ex.Problem);
        Assert.Equal(500, ex.StatusCode);
        portal.FailAllWithStatus = 503;
        Assert.Equal(PortalProblem.Offline, (await Assert.ThrowsAsync<PortalException>(() => Client.CreateNonceAsync(CancellationToken.None))).Problem);
    }

    [Fact]
    public async Task An_unreachable_portal_is_Offline()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var client = new PortalClient(http, $"http://127.0.0.1:{port}");
        var ex = await Assert.ThrowsAsync<PortalException>(() => client.ValidateTokenAsync(PortalToken.FromString(TypedToken), CancellationToken.None));
        Assert.Equal(PortalProblem.Offline, ex.Problem);
        Assert.Contains($"http://127.0.0.1:{port}", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("kx7qp", ex.ToString(), StringComparison.Ordinal);
    }
}
