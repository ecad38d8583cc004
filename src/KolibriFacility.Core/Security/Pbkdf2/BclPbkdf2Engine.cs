using System.Security.Cryptography;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>The BCL's PBKDF2, one password at a time: the reference every other path is checked against.</summary>
internal sealed class BclPbkdf2Engine : IPbkdf2Engine
{
    public const int KeyLength = 32;

    public Pbkdf2Path Path => Pbkdf2Path.Bcl;

    public int Lanes => 1;

    public void DeriveKeys(ReadOnlySpan<byte[]> passwords, ReadOnlySpan<byte[]> salts, int iterations, Span<byte> keys, CancellationToken cancellation)
    {
        for (var i = 0; i < passwords.Length; i++)
        {
            cancellation.ThrowIfCancellationRequested();
            Rfc2898DeriveBytes.Pbkdf2(passwords[i], salts[i], keys.Slice(i * KeyLength, KeyLength), iterations, HashAlgorithmName.SHA256);
        }
    }
}
