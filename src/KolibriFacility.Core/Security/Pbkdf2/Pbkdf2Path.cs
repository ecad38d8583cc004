namespace KolibriFacility.Core.Security;

/// <summary>How PBKDF2-HMAC-SHA256 is computed: one password at a time by the BCL, or many at once in vector lanes.</summary>
public enum Pbkdf2Path
{
    /// <summary>.NET's <c>Rfc2898DeriveBytes.Pbkdf2</c> (OpenSSL, CNG or CommonCrypto), one password at a time: the reference and the fallback.</summary>
    Bcl,

    /// <summary>4 passwords at once in 128-bit registers (SSE2 on x64, NEON on ARM64).</summary>
    Vector128,

    /// <summary>8 passwords at once in AVX2 registers.</summary>
    Vector256,

    /// <summary>16 passwords at once in AVX-512 registers.</summary>
    Vector512,
}
