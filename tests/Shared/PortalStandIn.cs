using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Web;

namespace KolibriFacility.Tests;

/// <summary>One request the portal stand-in received: the path as sent (prefix included), the raw body and the form fields in order.</summary>
public sealed record PortalRequest(string Method, string Path, string Query, IReadOnlyDictionary<string, string> Form, string ContentType, string Body);

/// <summary>A registration the stand-in accepted, with the facts it verified.</summary>
public sealed record PortalRegistration(string FacilityId, string ClientCertificateId, string DatasetId, string Token, int ChainLength);

/// <summary>
/// A stand-in for the Kolibri Data Portal (the real one is not reachable from tests): an HTTP server on 127.0.0.1
/// only, started and stopped by the test, serving the endpoints Kolibri uses to register a facility (INTEROP 5.2)
/// and the morangoinfo endpoint a sync starts with. It checks a registration the way the portal must: the token, a
/// nonce it issued (once), every certificate of the chain (id = sha256(public key:profile[:salt]), serialized text
/// matching the fields, signature by the parent's key, the root's by its own) and the RSA PKCS#1 v1.5 SHA-256
/// signature of the nonce by the client certificate's public key. It uses only System.Security.Cryptography, not
/// the code under test. At most <see cref="MaxRequests"/> requests are served.
/// </summary>
public sealed class PortalStandIn : IDisposable
{
    public const int MaxRequests = 200;
    private static readonly string[] CertificateFields = ["id", "parent", "profile", "scope_definition", "scope_version", "scope_params", "public_key", "serialized", "signature", "salt"];

    private readonly HttpListener listener;
    private readonly Task loop;
    private readonly HashSet<string> issuedNonces = [];
    private readonly object gate = new();

    public PortalStandIn(string projectName = "Stand-in Project", params string[] validTokens)
        : this("/", projectName, validTokens)
    {
    }

    private PortalStandIn(string pathPrefix, string projectName, string[] validTokens)
    {
        ProjectName = projectName;
        foreach (var token in validTokens)
        {
            ValidTokens.Add(token);
        }

        PathPrefix = "/" + pathPrefix.Trim('/') + (pathPrefix.Trim('/').Length > 0 ? "/" : "");
        // Another process can take the probed port before the listener does (other suites run beside the tests): try a few.
        for (var attempt = 1; ; attempt++)
        {
            var url = $"http://127.0.0.1:{FreeLoopbackPort()}";
            var candidate = new HttpListener();
            candidate.Prefixes.Add(url + "/"); // everything, so requests that miss the prefix are recorded (and answered 404)
            try
            {
                candidate.Start();
                listener = candidate;
                BaseUrl = url;
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                candidate.Close();
            }
        }

        loop = Task.Run(ServeAsync);
    }

    /// <summary>A portal served under a path, e.g. "/kdp/": its endpoints are BaseUrl + prefix + the usual paths.</summary>
    public static PortalStandIn UnderPath(string pathPrefix, string projectName, params string[] validTokens) => new(pathPrefix, projectName, validTokens);

    /// <summary>The server's root, http://127.0.0.1:port (without the path prefix).</summary>
    public string BaseUrl { get; }
    /// <summary>"/" or "/kdp/": where the portal's endpoints start.</summary>
    public string PathPrefix { get; }
    /// <summary>The portal URL a client is given: BaseUrl + PathPrefix.</summary>
    public string PortalUrl => PathPrefix == "/" ? BaseUrl : BaseUrl + PathPrefix;
    public string ProjectName { get; set; }
    public HashSet<string> ValidTokens { get; } = [];
    /// <summary>Facilities already registered with a project (a new registration answers ALREADY_REGISTERED_FOR_COMMUNITY).</summary>
    public HashSet<string> RegisteredFacilities { get; } = [];
    /// <summary>When true, registration answers FACILITY_DOES_NOT_EXIST until a sync has contacted the server (GET morangoinfo).</summary>
    public bool RequireSyncBeforeRegistration { get; set; }
    /// <summary>When set, every request is answered with this status and an empty body (a portal having trouble).</summary>
    public int? FailAllWithStatus { get; set; }

    public List<PortalRequest> Requests { get; } = [];
    public List<PortalRegistration> Registrations { get; } = [];
    /// <summary>Why registrations were refused by the checks (a correct client causes none).</summary>
    public List<string> Rejections { get; } = [];
    public bool Synced { get; private set; }

    public List<string> Paths { get { lock (gate) { return Requests.Select(r => r.Method + " " + r.Path).ToList(); } } }

    /// <summary>Copies of what was recorded, taken under the lock the serving thread writes under (safe while requests arrive).</summary>
    public (List<PortalRequest> Requests, List<PortalRegistration> Registrations, List<string> Rejections) Snapshot()
    {
        lock (gate)
        {
            return ([.. Requests], [.. Registrations], [.. Rejections]);
        }
    }

    public void Dispose()
    {
        // Close alone: on Unix, Stop then Close removes the listener twice, and the second removal binds the port
        // again for a moment, failing with "Address already in use" when another test's server took it in between.
        try
        {
            listener.Close();
        }
        catch (ObjectDisposedException)
        {
        }

        loop.Wait(TimeSpan.FromSeconds(5));
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        for (var served = 0; served < MaxRequests; served++)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                Handle(context);
            }
            catch (Exception ex)
            {
                lock (gate)
                {
                    Rejections.Add("stand-in failure: " + ex.Message);
                }

                Answer(context, 500, "{}");
            }
        }
    }

    private void Handle(HttpListenerContext context)
    {
        var request = context.Request;
        var path = request.Url!.AbsolutePath;
        var body = new StreamReader(request.InputStream, Encoding.UTF8).ReadToEnd();
        var contentType = request.ContentType ?? "";
        var form = contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal) ? Parse(body) : new Dictionary<string, string>();
        lock (gate)
        {
            Requests.Add(new PortalRequest(request.HttpMethod, path, request.Url.Query, form, contentType, body));
        }

        if (!path.StartsWith(PathPrefix, StringComparison.Ordinal))
        {
            Answer(context, 404, "{\"detail\": \"Not found.\"}");
            return;
        }

        path = path[(PathPrefix.Length - 1)..];

        if (FailAllWithStatus is int status)
        {
            Answer(context, status, "");
            return;
        }

        switch ((request.HttpMethod, path))
        {
            case ("GET", "/portal/api/public/v1/registerfacility/validate_token"):
                var token = HttpUtility.ParseQueryString(request.Url.Query)["token"] ?? "";
                if (ValidTokens.Contains(token))
                {
                    Answer(context, 200, JsonSerializer.Serialize(new { name = ProjectName }));
                }
                else
                {
                    Answer(context, 404, Error("INVALID_KDP_REGISTRATION_TOKEN", "Token is invalid."));
                }

                return;

            case ("POST", "/api/morango/v1/nonces/"):
                var nonce = Guid.NewGuid().ToString("N");
                lock (gate)
                {
                    issuedNonces.Add(nonce);
                }

                Answer(context, 201, JsonSerializer.Serialize(new { id = nonce, timestamp = DateTime.UtcNow.ToString("o"), ip = "127.0.0.1" }));
                return;

            case ("POST", "/portal/api/public/v1/registerfacility/"):
                Register(context, form);
                return;

            case ("GET", "/api/morango/v1/morangoinfo/1/"):
                Synced = true;
                Answer(context, 200, JsonSerializer.Serialize(new
                {
                    instance_hash = new string('0', 64),
                    instance_id = "2a824768819aa2bec5cecbc06a31ec1e",
                    system_os = "Linux",
                    version = "0.8.2",
                    capabilities = new[] { "GZIP_BUFFER_POST", "ALLOW_CERTIFICATE_PUSHING", "ASYNC_OPERATIONS", "FSIC_V2_FORMAT" },
                }));
                return;

            default:
                Answer(context, 404, "{\"detail\": \"Not found.\"}");
                return;
        }
    }

    private void Register(HttpListenerContext context, Dictionary<string, string> form)
    {
        var problem = Check(form, out var registration);
        if (problem is not null)
        {
            lock (gate)
            {
                Rejections.Add(problem);
            }

            Answer(context, 400, Error("STANDIN_CHECK_FAILED", problem));
            return;
        }

        if (!ValidTokens.Contains(form["token"]))
        {
            Answer(context, 400, Error("INVALID_KDP_REGISTRATION_TOKEN", "Token is invalid."));
            return;
        }

        if (RegisteredFacilities.Contains(form["facility_id"]))
        {
            Answer(context, 400, Error("ALREADY_REGISTERED_FOR_COMMUNITY", "Facility is already registered."));
            return;
        }

        if (RequireSyncBeforeRegistration && !Synced)
        {
            Answer(context, 400, Error("FACILITY_DOES_NOT_EXIST", "Facility does not exist on the server."));
            return;
        }

        lock (gate)
        {
            Registrations.Add(registration!);
            RegisteredFacilities.Add(registration!.FacilityId);
        }

        Answer(context, 201, "{}");
    }

    /// <summary>The portal's checks; null when the registration is genuine.</summary>
    private string? Check(Dictionary<string, string> form, out PortalRegistration? registration)
    {
        registration = null;
        string[] fields = ["facility_id", "server_nonce", "client_certificate_id", "certificate_chain", "token", "signature"];
        var missing = fields.Where(f => !form.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            return "missing form fields: " + string.Join(", ", missing);
        }

        lock (gate)
        {
            if (!issuedNonces.Remove(form["server_nonce"]))
            {
                return "server_nonce was not issued by this server or was already used";
            }
        }

        using var chainJson = JsonDocument.Parse(form["certificate_chain"]);
        var chain = chainJson.RootElement.EnumerateArray().ToList();
        if (chain.Count == 0)
        {
            return "empty certificate chain";
        }

        string? parentKey = null;
        string? parentId = null;
        foreach (var cert in chain)
        {
            var names = cert.EnumerateObject().Select(p => p.Name).ToArray();
            if (!names.SequenceEqual(CertificateFields))
            {
                return "certificate fields are not morango's CertificateSerializer fields: " + string.Join(",", names);
            }

            var id = cert.GetProperty("id").GetString()!;
            var publicKey = cert.GetProperty("public_key").GetString()!;
            var profile = cert.GetProperty("profile").GetString()!;
            var salt = cert.GetProperty("salt").GetString()!;
            var parent = cert.GetProperty("parent").ValueKind == JsonValueKind.Null ? null : cert.GetProperty("parent").GetString();
            var expectedId = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(publicKey + ":" + profile + (salt.Length > 0 ? ":" + salt : ""))))[..32];
            if (id != expectedId)
            {
                return $"certificate {id}: id is not sha256(public_key:profile[:salt])";
            }

            if (parent != parentId)
            {
                return $"certificate {id}: parent {parent} does not follow the chain";
            }

            var serializedText = cert.GetProperty("serialized").GetString()!;
            using var serialized = JsonDocument.Parse(serializedText);
            var s = serialized.RootElement;
            if (s.GetProperty("id").GetString() != id || s.GetProperty("public_key_string").GetString() != publicKey
                || s.GetProperty("profile").GetString() != profile || s.GetProperty("salt").GetString() != salt
                || s.GetProperty("scope_definition_id").GetString() != cert.GetProperty("scope_definition").GetString()
                || s.GetProperty("scope_version").GetInt32() != cert.GetProperty("scope_version").GetInt32()
                || s.GetProperty("scope_params").GetString() != cert.GetProperty("scope_params").GetString()
                || (s.GetProperty("parent_id").ValueKind == JsonValueKind.Null ? null : s.GetProperty("parent_id").GetString()) != parent)
            {
                return $"certificate {id}: serialized text does not match its fields";
            }

            if (!Verifies(parentKey ?? publicKey, serializedText, cert.GetProperty("signature").GetString()!))
            {
                return $"certificate {id}: signature does not verify with its signer's public key";
            }

            parentKey = publicKey;
            parentId = id;
        }

        var client = chain[^1];
        if (client.GetProperty("id").GetString() != form["client_certificate_id"])
        {
            return "client_certificate_id is not the last certificate of the chain";
        }

        if (!Verifies(client.GetProperty("public_key").GetString()!, form["server_nonce"], form["signature"]))
        {
            return "signature of the server nonce does not verify with the client certificate's public key";
        }

        using var scope = JsonDocument.Parse(chain[0].GetProperty("scope_params").GetString()!);
        registration = new PortalRegistration(form["facility_id"], form["client_certificate_id"], scope.RootElement.GetProperty("dataset_id").GetString()!, form["token"], chain.Count);
        return null;
    }

    private static bool Verifies(string publicKeyString, string message, string signature)
    {
        using var rsa = RSA.Create();
        rsa.ImportRSAPublicKey(Convert.FromBase64String(publicKeyString), out _);
        return rsa.VerifyData(Encoding.UTF8.GetBytes(message), Convert.FromBase64String(signature), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    /// <summary>The form's fields in the order they were sent.</summary>
    private static Dictionary<string, string> Parse(string body)
    {
        var parsed = HttpUtility.ParseQueryString(body);
        return parsed.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => parsed[k]!);
    }

    private static string Error(string id, string message) => JsonSerializer.Serialize(new[] { new { id, metadata = new { message } } });

    private static void Answer(HttpListenerContext context, int status, string body)
    {
        try
        {
            var bytes = Encoding.UTF8.GetBytes(body);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength64 = bytes.Length;
            context.Response.OutputStream.Write(bytes);
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
        }
    }
}
