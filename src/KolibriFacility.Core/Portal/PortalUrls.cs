namespace KolibriFacility.Core.Portal;

/// <summary>Where the Kolibri Data Portal URL in use came from.</summary>
public enum PortalUrlSource
{
    Parameter,
    /// <summary>KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL, which Kolibri itself lets override options.ini.</summary>
    Environment,
    /// <summary>KOLIBRI_HOME/options.ini, [Urls] DATA_PORTAL_SYNCING_BASE_URL.</summary>
    OptionsIni,
    KolibriDefault,
}

/// <summary>The portal base URL exactly as Kolibri will compare it (Kolibri's sync treats a base URL as "the portal" only when it equals its setting).</summary>
public sealed record PortalUrl(string Url, PortalUrlSource Source)
{
    public override string ToString() => Url;
}

/// <summary>Resolves the Kolibri Data Portal URL the way Kolibri's options do (kolibri/utils/options.py).</summary>
public static class PortalUrls
{
    public const string KolibriDefault = "https://kolibridataportal.learningequality.org";
    public const string EnvironmentVariable = "KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL";
    public const string OptionsFileName = "options.ini";
    public const string OptionsSection = "Urls";
    public const string OptionsKey = "DATA_PORTAL_SYNCING_BASE_URL";

    /// <summary>
    /// An explicit URL wins; else Kolibri's environment override; else options.ini in KOLIBRI_HOME; else Kolibri's default.
    /// </summary>
    public static PortalUrl Resolve(string? explicitUrl, string kolibriHome, Func<string, string?>? environment = null)
    {
        if (!string.IsNullOrWhiteSpace(explicitUrl))
        {
            return new PortalUrl(Validate(explicitUrl.Trim(), "-PortalUrl"), PortalUrlSource.Parameter);
        }

        var fromEnvironment = (environment ?? System.Environment.GetEnvironmentVariable)(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return new PortalUrl(Validate(fromEnvironment.Trim(), "$env:" + EnvironmentVariable), PortalUrlSource.Environment);
        }

        var optionsPath = Path.Combine(kolibriHome, OptionsFileName);
        var fromOptions = KolibriOptionsFile.Read(optionsPath, OptionsSection, OptionsKey);
        if (!string.IsNullOrWhiteSpace(fromOptions))
        {
            return new PortalUrl(Validate(fromOptions.Trim(), $"{optionsPath} [{OptionsSection}] {OptionsKey}"), PortalUrlSource.OptionsIni);
        }

        return new PortalUrl(KolibriDefault, PortalUrlSource.KolibriDefault);
    }

    /// <summary>Checks a server URL is an absolute http(s) URL; returns it unchanged.</summary>
    public static string Validate(string url, string origin)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || !string.IsNullOrEmpty(uri.Query))
        {
            throw new ArgumentException($"'{url}' from {origin} is not a server address Kolibri can sync with: use an absolute http:// or https:// URL such as {KolibriDefault} or http://192.168.1.10:8080.");
        }

        return url;
    }

    /// <summary>True when two base URLs name the same server (scheme, host, port and path, ignoring case of host and a trailing '/').</summary>
    public static bool SameServer(string a, string b) =>
        Uri.TryCreate(a, UriKind.Absolute, out var x) && Uri.TryCreate(b, UriKind.Absolute, out var y)
        && Uri.Compare(x, y, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && string.Equals(x.AbsolutePath.TrimEnd('/'), y.AbsolutePath.TrimEnd('/'), StringComparison.Ordinal);
}
