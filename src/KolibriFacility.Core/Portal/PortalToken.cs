using System.Runtime.InteropServices;
using System.Security;

namespace KolibriFacility.Core.Portal;

/// <summary>
/// A Kolibri Data Portal project token. The value is only ever handed to the portal request that needs it: it has
/// no public accessor, ToString() masks it, and Redact() removes it from any text (portal messages included).
/// </summary>
public sealed class PortalToken
{
    private const string Mask = "********";
    private readonly string value;

    private PortalToken(string value) => this.value = value;

    /// <summary>Number of characters of the normalised token (for messages that must not show it).</summary>
    public int Length => value.Length;

    /// <summary>
    /// Normalises a token as Kolibri's token dialog does: surrounding white space dropped, then the first '-' removed
    /// (the portal shows tokens as two halves joined by '-'; Kolibri strips that one dash before validating).
    /// </summary>
    public static PortalToken FromString(string typed)
    {
        ArgumentNullException.ThrowIfNull(typed);
        var token = typed.Trim();
        var dash = token.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            token = token.Remove(dash, 1);
        }

        if (token.Length == 0)
        {
            throw new PortalException(PortalProblem.InvalidToken, "The project token is empty. Copy the token from the project's page on the Kolibri Data Portal.");
        }

        return new PortalToken(token);
    }

    public static PortalToken FromSecureString(SecureString secure)
    {
        ArgumentNullException.ThrowIfNull(secure);
        var pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return FromString(Marshal.PtrToStringUni(pointer, secure.Length));
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }

    /// <summary>The token itself, for the one form field or query parameter that carries it.</summary>
    internal string Reveal() => value;

    /// <summary>Replaces every occurrence of the token in a text (used on anything the portal sends back).</summary>
    public string Redact(string? text) =>
        string.IsNullOrEmpty(text) ? text ?? "" : text.Replace(value, Mask, StringComparison.Ordinal);

    public override string ToString() => Mask;
}
