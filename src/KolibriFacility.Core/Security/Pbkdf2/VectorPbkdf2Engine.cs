using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>
/// PBKDF2-HMAC-SHA256 (RFC 8018) for several passwords at once, one per vector lane. Each password's HMAC inner and
/// outer states (the compressed key XOR ipad/opad blocks) are computed once; every further iteration is then two
/// compressions of a one-block message, U(i) = H(outer, H(inner, U(i-1))), in all lanes together. The first
/// iteration, whose message is the salt of any length, is the BCL's HMAC.
/// </summary>
internal sealed class VectorPbkdf2Engine<TVector, TOps> : IPbkdf2Engine
    where TVector : unmanaged
    where TOps : ILaneOps<TVector>
{
    private const int KeyLength = BclPbkdf2Engine.KeyLength;
    private const int HmacBlockBytes = 64;
    private const int StateWords = Sha256Lanes<TVector, TOps>.StateWords;
    private const int BlockWords = Sha256Lanes<TVector, TOps>.BlockWords;
    private const int CancellationCheckInterval = 1024;

    public VectorPbkdf2Engine(Pbkdf2Path path)
    {
        if (!TOps.IsSupported)
        {
            throw new PlatformNotSupportedException($"This CPU or runtime does not accelerate {path} (PBKDF2 path {typeof(TOps).Name}).");
        }

        Path = path;
    }

    public Pbkdf2Path Path { get; }

    public int Lanes => TOps.Lanes;

    public void DeriveKeys(ReadOnlySpan<byte[]> passwords, ReadOnlySpan<byte[]> salts, int iterations, Span<byte> keys, CancellationToken cancellation)
    {
        var lanes = TOps.Lanes;
        if (passwords.Length > lanes || salts.Length != passwords.Length || keys.Length < passwords.Length * KeyLength)
        {
            throw new ArgumentException($"At most {lanes} passwords, one salt each and {KeyLength} bytes of output per password.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);

        // Words are laid out lane-minor (word j of lane k at j * lanes + k), so vector j is one contiguous load.
        Span<uint> innerKeyWords = stackalloc uint[BlockWords * lanes];
        Span<uint> outerKeyWords = stackalloc uint[BlockWords * lanes];
        Span<uint> firstWords = stackalloc uint[StateWords * lanes];
        innerKeyWords.Clear();
        outerKeyWords.Clear();
        firstWords.Clear();
        for (var lane = 0; lane < passwords.Length; lane++)
        {
            PrepareLane(passwords[lane], salts[lane], lane, lanes, innerKeyWords, outerKeyWords, firstWords);
        }

        Span<TVector> inner = stackalloc TVector[StateWords];
        Span<TVector> outer = stackalloc TVector[StateWords];
        Span<TVector> block = stackalloc TVector[BlockWords];
        Span<TVector> result = stackalloc TVector[StateWords];
        HmacState(innerKeyWords, inner, block);
        HmacState(outerKeyWords, outer, block);
        Load(firstWords, result);

        Iterate(inner, outer, result, iterations, cancellation);

        Span<uint> resultWords = stackalloc uint[StateWords * lanes];
        Store(result, resultWords);
        for (var lane = 0; lane < passwords.Length; lane++)
        {
            var key = keys.Slice(lane * KeyLength, KeyLength);
            for (var j = 0; j < StateWords; j++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(key[(4 * j)..], resultWords[(j * lanes) + lane]);
            }
        }
    }

    /// <summary>The key blocks XOR ipad/opad of one lane, and its first iteration U1 = HMAC(password, salt || INT(1)).</summary>
    private static void PrepareLane(byte[] password, byte[] salt, int lane, int lanes, Span<uint> innerKeyWords, Span<uint> outerKeyWords, Span<uint> firstWords)
    {
        Span<byte> keyBlock = stackalloc byte[HmacBlockBytes];
        keyBlock.Clear();
        if (password.Length > HmacBlockBytes)
        {
            SHA256.HashData(password, keyBlock); // HMAC's rule for keys longer than a block
        }
        else
        {
            password.CopyTo(keyBlock);
        }

        for (var j = 0; j < BlockWords; j++)
        {
            var word = BinaryPrimitives.ReadUInt32BigEndian(keyBlock[(4 * j)..]);
            innerKeyWords[(j * lanes) + lane] = word ^ 0x36363636;
            outerKeyWords[(j * lanes) + lane] = word ^ 0x5c5c5c5c;
        }

        CryptographicOperations.ZeroMemory(keyBlock);

        var message = new byte[salt.Length + 4];
        salt.CopyTo(message, 0);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(salt.Length), 1);
        Span<byte> first = stackalloc byte[KeyLength];
        HMACSHA256.HashData(password, message, first);
        for (var j = 0; j < StateWords; j++)
        {
            firstWords[(j * lanes) + lane] = BinaryPrimitives.ReadUInt32BigEndian(first[(4 * j)..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HmacState(Span<uint> keyWords, Span<TVector> state, Span<TVector> block)
    {
        var initial = Sha256Lanes<TVector, TOps>.InitialState;
        for (var j = 0; j < StateWords; j++)
        {
            state[j] = TOps.Broadcast(initial[j]);
        }

        Load(keyWords, block);
        Sha256Lanes<TVector, TOps>.Compress(state, block);
    }

    /// <summary>Iterations 2..n: U = HMAC(U) from the precomputed states, result ^= U.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Iterate(Span<TVector> inner, Span<TVector> outer, Span<TVector> result, int iterations, CancellationToken cancellation)
    {
        Span<TVector> block = stackalloc TVector[BlockWords];
        Span<TVector> u = stackalloc TVector[StateWords];
        Span<TVector> innerHash = stackalloc TVector[StateWords];
        result.CopyTo(u);

        // The second block of each HMAC message: 32 bytes of hash, then SHA-256 padding for 64 + 32 bytes = 768 bits.
        var paddingStart = TOps.Broadcast(0x80000000);
        var zero = TOps.Broadcast(0);
        var messageBits = TOps.Broadcast(768);

        for (var iteration = 1; iteration < iterations; iteration++)
        {
            if (iteration % CancellationCheckInterval == 0)
            {
                cancellation.ThrowIfCancellationRequested();
            }

            u.CopyTo(block);
            Pad(block, paddingStart, zero, messageBits);
            inner.CopyTo(innerHash);
            Sha256Lanes<TVector, TOps>.Compress(innerHash, block);

            innerHash.CopyTo(block);
            Pad(block, paddingStart, zero, messageBits);
            outer.CopyTo(u);
            Sha256Lanes<TVector, TOps>.Compress(u, block);

            for (var j = 0; j < StateWords; j++)
            {
                result[j] = TOps.Xor(result[j], u[j]);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Pad(Span<TVector> block, TVector paddingStart, TVector zero, TVector messageBits)
    {
        block[8] = paddingStart;
        block[9] = zero;
        block[10] = zero;
        block[11] = zero;
        block[12] = zero;
        block[13] = zero;
        block[14] = zero;
        block[15] = messageBits;
    }

    private static void Load(ReadOnlySpan<uint> words, Span<TVector> vectors)
    {
        ref var first = ref Unsafe.As<uint, byte>(ref MemoryMarshal.GetReference(words));
        for (var j = 0; j < vectors.Length; j++)
        {
            vectors[j] = Unsafe.ReadUnaligned<TVector>(ref Unsafe.Add(ref first, j * Unsafe.SizeOf<TVector>()));
        }
    }

    private static void Store(ReadOnlySpan<TVector> vectors, Span<uint> words)
    {
        MemoryMarshal.Cast<TVector, uint>(vectors).CopyTo(words);
    }
}
