using System.Security;
using KolibriFacility.Core.Portal;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

public sealed class PortalTokenAndUrlTests : IDisposable
{
    private readonly TempFolder home = new();

    public void Dispose() => home.Dispose();

    [Theory]
    [InlineData("abcde-fghij", "abcdefghij")]
    [InlineData("  abcde-fghij \n", "abcdefghij")]
    [InlineData("ab-cd-ef", "abcd-ef")] // Kolibri's dialog removes the first '-' only
    [InlineData("abcdefghij", "abcdefghij")]
    [InlineData("-abc", "abc")]
    public void Tokens_are_normalised_as_kolibris_token_dialog_does(string typed, string sent)
    {
        Assert.Equal(sent, PortalToken.FromString(typed).Reveal());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-")]
    public void An_empty_token_is_an_invalid_token(string typed)
    {
        Assert.Equal(PortalProblem.InvalidToken, Assert.Throws<PortalException>(() => PortalToken.FromString(typed)).Problem);
    }

    [Fact]
    public void A_token_never_shows_itself()
    {
        var secure = new SecureString();
        foreach (var c in "secr3-tvalue")
        {
            secure.AppendChar(c);
        }

        var token = PortalToken.FromSecureString(secure);
        Assert.Equal("secr3tvalue", token.Reveal());
        Assert.Equal("********", token.ToString());
        Assert.Equal("********", $"{token}");
        Assert.Equal("bad ******** here", token.Redact("bad secr3tvalue here"));
    }

    [Fact]
    public void Portal_url_comes_from_the_parameter_then_environment_then_options_ini_then_kolibris_default()
    {
        File.WriteAllText(home.File("options.ini"), "[Deployment]\nHTTP_PORT = 8081\n\n[Urls]\n# the project's own portal\nDATA_PORTAL_SYNCING_BASE_URL = \"https://portal.example.org\"\n");
        string? Env(string name) => name == PortalUrls.EnvironmentVariable ? "https://env.example.org" : null;
        string? NoEnv(string name) => null;

        Assert.Equal(new PortalUrl("http://127.0.0.1:9", PortalUrlSource.Parameter), PortalUrls.Resolve("http://127.0.0.1:9", home.Path, Env));
        Assert.Equal(new PortalUrl("https://env.example.org", PortalUrlSource.Environment), PortalUrls.Resolve(null, home.Path, Env));
        Assert.Equal(new PortalUrl("https://portal.example.org", PortalUrlSource.OptionsIni), PortalUrls.Resolve(null, home.Path, NoEnv));
        File.Delete(home.File("options.ini"));
        Assert.Equal(new PortalUrl("https://kolibridataportal.learningequality.org", PortalUrlSource.KolibriDefault), PortalUrls.Resolve(null, home.Path, NoEnv));
    }

    [Fact]
    public void Options_ini_values_may_be_unquoted_with_comments_and_other_sections_do_not_count()
    {
        File.WriteAllText(home.File("options.ini"), "[Paths]\nDATA_PORTAL_SYNCING_BASE_URL = https://wrong.example.org\n[urls]\ndata_portal_syncing_base_url = https://kdp.example.org/ # staging\n");
        Assert.Equal("https://kdp.example.org/", KolibriOptionsFile.Read(home.File("options.ini"), "Urls", "DATA_PORTAL_SYNCING_BASE_URL"));
    }

    [Theory]
    [InlineData("ftp://portal.example.org")]
    [InlineData("portal.example.org")]
    [InlineData("https://portal.example.org/?token=x")]
    public void A_portal_url_that_kolibri_cannot_sync_with_is_refused(string url)
    {
        var ex = Assert.Throws<ArgumentException>(() => PortalUrls.Resolve(url, home.Path, _ => null));
        Assert.Contains("-PortalUrl", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Same_server_ignores_a_trailing_slash_and_host_case()
    {
        Assert.True(PortalUrls.SameServer("https://KDP.example.org/", "https://kdp.example.org"));
        Assert.False(PortalUrls.SameServer("https://kdp.example.org", "http://kdp.example.org"));
        Assert.False(PortalUrls.SameServer("http://10.0.0.5:8080", "http://10.0.0.5:8081"));
    }
}
