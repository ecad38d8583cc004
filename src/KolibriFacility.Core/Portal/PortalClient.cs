using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace KolibriFacility.Core.Portal;

/// <summary>The project a registration token belongs to, as the portal's validate_token answer names it.</summary>
public sealed record PortalProject(string Name);

/// <summary>The registration form Kolibri posts (kolibri/core/utils/portal.py registerfacility), minus the token.</summary>
public sealed record FacilityRegistrationForm(string FacilityId, string ServerNonce, string ClientCertificateId, string CertificateChain, string Signature);

/// <summary>
/// The Kolibri Data Portal's public registration endpoints, joined to the base URL as Kolibri's join_url does
/// (docs/Kolibri.md, Portal registration): relative paths resolved against the URL, so a portal under a path (http://host/kdp/) keeps it. Every failure becomes a PortalException; the token never appears in a message.
/// </summary>
public sealed class PortalClient(HttpClient http, string portalUrl)
{
    public const string ValidateTokenPath = "portal/api/public/v1/registerfacility/validate_token";
    public const string RegisterPath = "portal/api/public/v1/registerfacility/";
    public const string NoncePath = "api/morango/v1/nonces/";

    public const string InvalidTokenId = "INVALID_KDP_REGISTRATION_TOKEN";
    public const string AlreadyRegisteredId = "ALREADY_REGISTERED_FOR_COMMUNITY";
    public const string FacilityDoesNotExistId = "FACILITY_DOES_NOT_EXIST";

    private readonly Uri baseUri = new(portalUrl, UriKind.Absolute);

    public string PortalUrl => portalUrl;

    /// <summary>GET validate_token?token=...: the project's name, or InvalidToken.</summary>
    public async Task<PortalProject> ValidateTokenAsync(PortalToken token, CancellationToken cancellation)
    {
        var endpoint = new Uri(baseUri, ValidateTokenPath);
        var withToken = new UriBuilder(endpoint) { Query = "token=" + Uri.EscapeDataString(token.Reveal()) }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, withToken);
        var (status, body) = await SendAsync(request, endpoint, token, cancellation).ConfigureAwait(false);
        if (status is >= 200 and < 300)
        {
            var name = ReadString(body, "name");
            return name is null
                ? throw new PortalException(PortalProblem.PortalError, $"The portal at {portalUrl} accepted the token but did not name its project (unexpected answer from {endpoint}).", statusCode: status)
                : new PortalProject(name);
        }

        var failure = Describe(status, body, endpoint, token);
        // Kolibri's token dialog treats any refusal of validate_token as an invalid token.
        throw failure.Problem == PortalProblem.PortalError && status is >= 400 and < 500
            ? new PortalException(PortalProblem.InvalidToken, $"The Kolibri Data Portal at {portalUrl} does not accept this project token ({failure.Message}). Check the token on the project's page; Kolibri ignores the first '-'.", failure.ErrorId, status)
            : failure;
    }

    /// <summary>POST nonces/: a one-time server nonce to sign.</summary>
    public async Task<string> CreateNonceAsync(CancellationToken cancellation)
    {
        var endpoint = new Uri(baseUri, NoncePath);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint);
        var (status, body) = await SendAsync(request, endpoint, null, cancellation).ConfigureAwait(false);
        if (status is >= 200 and < 300)
        {
            return ReadString(body, "id")
                ?? throw new PortalException(PortalProblem.PortalError, $"The portal's nonce answer from {endpoint} has no id.", statusCode: status);
        }

        throw Describe(status, body, endpoint, null);
    }

    /// <summary>POST registerfacility/ form-encoded, fields in Kolibri's order.</summary>
    public async Task RegisterAsync(FacilityRegistrationForm form, PortalToken token, CancellationToken cancellation)
    {
        var endpoint = new Uri(baseUri, RegisterPath);
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("facility_id", form.FacilityId),
                new("server_nonce", form.ServerNonce),
                new("client_certificate_id", form.ClientCertificateId),
                new("certificate_chain", form.CertificateChain),
                new("token", token.Reveal()),
                new("signature", form.Signature),
            ]),
        };
        var (status, body) = await SendAsync(request, endpoint, token, cancellation).ConfigureAwait(false);
        if (status is < 200 or >= 300)
        {
            throw Describe(status, body, endpoint, token);
        }
    }

    private async Task<(int Status, string Body)> SendAsync(HttpRequestMessage request, Uri endpointWithoutQuery, PortalToken? token, CancellationToken cancellation)
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellation).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellation).ConfigureAwait(false);
            return ((int)response.StatusCode, body);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            var reason = ex is TaskCanceledException ? $"no answer within {http.Timeout.TotalSeconds:0} s" : ex.Message;
            // HttpRequestException messages never carry the query string, but redact anyway.
            throw new PortalException(PortalProblem.Offline,
                $"Could not reach the Kolibri Data Portal at {portalUrl} ({endpointWithoutQuery.AbsolutePath}): {token?.Redact(reason) ?? reason}. Check this device's internet connection (or -PortalUrl / options.ini [Urls] DATA_PORTAL_SYNCING_BASE_URL).",
                inner: null);
        }
    }

    /// <summary>Maps a portal error answer ([{"id": ..., "metadata": {...}}]) to a PortalException.</summary>
    private PortalException Describe(int status, string body, Uri endpoint, PortalToken? token)
    {
        var (errorId, detail) = ReadError(body);
        detail = token?.Redact(detail) ?? detail;
        var problem = errorId switch
        {
            InvalidTokenId => PortalProblem.InvalidToken,
            AlreadyRegisteredId => PortalProblem.AlreadyRegistered,
            FacilityDoesNotExistId => PortalProblem.FacilityDoesNotExist,
            _ => status == (int)HttpStatusCode.ServiceUnavailable ? PortalProblem.Offline : PortalProblem.PortalError,
        };
        var said = string.IsNullOrWhiteSpace(detail) ? "" : ": " + detail;
        var message = problem switch
        {
            PortalProblem.InvalidToken => $"The Kolibri Data Portal at {portalUrl} does not accept this project token ({errorId}{said}).",
            PortalProblem.AlreadyRegistered => $"The facility is already registered with a project on the Kolibri Data Portal at {portalUrl} ({errorId}{said}).",
            PortalProblem.FacilityDoesNotExist => $"The Kolibri Data Portal at {portalUrl} has no data for this facility yet ({errorId}{said}).",
            _ => $"The Kolibri Data Portal at {portalUrl} answered {status} to {endpoint.AbsolutePath}{(errorId is null ? "" : " (" + errorId + ")")}{said}.",
        };
        return new PortalException(problem, message, errorId, status);
    }

    private static (string? Id, string Detail) ReadError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement;
            var first = root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0 ? root[0] : root;
            if (first.ValueKind == JsonValueKind.Object)
            {
                var id = first.TryGetProperty("id", out var idElement) && idElement.ValueKind == JsonValueKind.String ? idElement.GetString() : null;
                string? message = null;
                if (first.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                    && metadata.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                {
                    message = m.GetString();
                }

                return (id, message ?? (id is null ? Shorten(body) : ""));
            }
        }
        catch (JsonException)
        {
        }

        return (null, Shorten(body));
    }

    private static string? ReadString(string body, string property)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Shorten(string text)
    {
        var flat = text.ReplaceLineEndings(" ").Trim();
        return flat.Length <= 300 ? flat : flat[..300] + "...";
    }
}
