using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KolibriFacility.Tests;

/// <summary>Django's pbkdf2_sha256 check, as Kolibri's sign-in does it.</summary>
public static class KolibriPasswords
{
    public static bool Match(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != "pbkdf2_sha256")
        {
            return false;
        }

        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(parts[2]), int.Parse(parts[1], CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(key) == parts[3];
    }
}
