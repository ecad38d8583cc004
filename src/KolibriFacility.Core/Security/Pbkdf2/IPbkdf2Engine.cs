namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>Derives 32-byte PBKDF2-HMAC-SHA256 keys for up to <see cref="Lanes"/> passwords in one call.</summary>
internal interface IPbkdf2Engine
{
    Pbkdf2Path Path { get; }

    /// <summary>Passwords one call takes; a call with fewer costs as much as a full one.</summary>
    int Lanes { get; }

    /// <summary>
    /// Writes the key of <paramref name="passwords"/>[i] with <paramref name="salts"/>[i] to
    /// <paramref name="keys"/>[32 i .. 32 i + 32]. Throws OperationCanceledException when cancelled.
    /// </summary>
    void DeriveKeys(ReadOnlySpan<byte[]> passwords, ReadOnlySpan<byte[]> salts, int iterations, Span<byte> keys, CancellationToken cancellation);
}
