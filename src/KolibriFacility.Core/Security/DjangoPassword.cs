using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KolibriFacility.Core.Security;

/// <summary>
/// Django's PBKDF2 password hashes as Kolibri 0.17 (Django 3.2) stores them (docs/Kolibri.md, Password hashing):
/// <c>pbkdf2_sha256$260000$&lt;22-char salt&gt;$&lt;base64 of 32 bytes&gt;</c>.
/// </summary>
public static class DjangoPassword
{
    public const int Iterations = 260000;
    public const int SaltLength = 22;
    /// <summary>What Kolibri stores for learners allowed to sign in without a password.</summary>
    public const string NotSpecified = "NOT_SPECIFIED";
    private const string SaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    /// <summary>One password by the BCL. To hash many, use <see cref="PasswordHasher.HashAll(IReadOnlyList{string}, PasswordHashingOptions?)"/>.</summary>
    public static string Hash(string password, string? salt = null, int iterations = Iterations)
    {
        salt ??= NewSalt();
        CheckSalt(salt, 0);
        var derived = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations, HashAlgorithmName.SHA256, 32);
        return Format(salt, iterations, derived);
    }

    /// <summary>The stored form of a derived key: <c>pbkdf2_sha256$iterations$salt$base64</c>.</summary>
    public static string Format(string salt, int iterations, ReadOnlySpan<byte> derived) =>
        string.Create(CultureInfo.InvariantCulture, $"pbkdf2_sha256${iterations}${salt}${Convert.ToBase64String(derived)}");

    /// <summary>Django splits the stored hash on '$', so a salt must not contain one.</summary>
    public static void CheckSalt(string salt, int index)
    {
        ArgumentNullException.ThrowIfNull(salt);
        if (salt.Contains('$'))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Salt {index} ('{salt}') contains '$', which Django's hash format uses as its separator."), nameof(salt));
        }
    }

    public static string NewSalt() => new(RandomNumberGenerator.GetItems<char>(SaltAlphabet, SaltLength));

    /// <summary>True when the password matches a pbkdf2_sha256 or pbkdf2_sha1 hash (any iteration count).</summary>
    public static bool Verify(string password, string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return false;
        }

        var parts = encoded.Split('$');
        if (parts.Length != 4 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations <= 0)
        {
            return false;
        }

        var algorithm = parts[0] switch
        {
            "pbkdf2_sha256" => HashAlgorithmName.SHA256,
            "pbkdf2_sha1" => HashAlgorithmName.SHA1,
            _ => default,
        };
        if (algorithm == default)
        {
            return false;
        }

        byte[] expected;
        try
        {
            expected = Convert.FromBase64String(parts[3]);
        }
        catch (FormatException)
        {
            return false;
        }

        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(parts[2]), iterations, algorithm, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
