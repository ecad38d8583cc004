using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>
/// The SHA-256 compression function (FIPS 180-4, 6.2.2) over <typeparamref name="TOps"/>.Lanes independent
/// messages at once: lane k of every vector belongs to message k.
/// </summary>
internal static class Sha256Lanes<TVector, TOps>
    where TVector : unmanaged
    where TOps : ILaneOps<TVector>
{
    public const int StateWords = 8;
    public const int BlockWords = 16;

    public static ReadOnlySpan<uint> InitialState =>
    [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ];

    private static ReadOnlySpan<uint> RoundConstants =>
    [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];

    /// <summary>
    /// Compresses one 16-word block per lane into <paramref name="state"/> (8 vectors, updated in place, feed-forward
    /// included). <paramref name="block"/> (16 vectors) is used as the message schedule and left overwritten.
    /// Optimised at first compile (no tiering), so the code the self-test checks is the code that hashes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compress(Span<TVector> state, Span<TVector> block)
    {
        ref var s = ref MemoryMarshal.GetReference(state[..StateWords]);
        ref var w = ref MemoryMarshal.GetReference(block[..BlockWords]);
        ref var k = ref MemoryMarshal.GetReference(RoundConstants);

        var a = s;
        var b = Unsafe.Add(ref s, 1);
        var c = Unsafe.Add(ref s, 2);
        var d = Unsafe.Add(ref s, 3);
        var e = Unsafe.Add(ref s, 4);
        var f = Unsafe.Add(ref s, 5);
        var g = Unsafe.Add(ref s, 6);
        var h = Unsafe.Add(ref s, 7);

        for (var round = 0; round < 64; round += BlockWords)
        {
            if (round > 0)
            {
                ExpandSchedule(ref w);
            }

            for (var i = 0; i < BlockWords; i += 8)
            {
                ref var kr = ref Unsafe.Add(ref k, round + i);
                ref var wr = ref Unsafe.Add(ref w, i);
                Round(a, b, c, ref d, e, f, g, ref h, kr, wr);
                Round(h, a, b, ref c, d, e, f, ref g, Unsafe.Add(ref kr, 1), Unsafe.Add(ref wr, 1));
                Round(g, h, a, ref b, c, d, e, ref f, Unsafe.Add(ref kr, 2), Unsafe.Add(ref wr, 2));
                Round(f, g, h, ref a, b, c, d, ref e, Unsafe.Add(ref kr, 3), Unsafe.Add(ref wr, 3));
                Round(e, f, g, ref h, a, b, c, ref d, Unsafe.Add(ref kr, 4), Unsafe.Add(ref wr, 4));
                Round(d, e, f, ref g, h, a, b, ref c, Unsafe.Add(ref kr, 5), Unsafe.Add(ref wr, 5));
                Round(c, d, e, ref f, g, h, a, ref b, Unsafe.Add(ref kr, 6), Unsafe.Add(ref wr, 6));
                Round(b, c, d, ref e, f, g, h, ref a, Unsafe.Add(ref kr, 7), Unsafe.Add(ref wr, 7));
            }
        }

        s = TOps.Add(s, a);
        Unsafe.Add(ref s, 1) = TOps.Add(Unsafe.Add(ref s, 1), b);
        Unsafe.Add(ref s, 2) = TOps.Add(Unsafe.Add(ref s, 2), c);
        Unsafe.Add(ref s, 3) = TOps.Add(Unsafe.Add(ref s, 3), d);
        Unsafe.Add(ref s, 4) = TOps.Add(Unsafe.Add(ref s, 4), e);
        Unsafe.Add(ref s, 5) = TOps.Add(Unsafe.Add(ref s, 5), f);
        Unsafe.Add(ref s, 6) = TOps.Add(Unsafe.Add(ref s, 6), g);
        Unsafe.Add(ref s, 7) = TOps.Add(Unsafe.Add(ref s, 7), h);
    }

    /// <summary>One round; the caller rotates the roles of a..h instead of moving values (d and h are the ones written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Round(TVector a, TVector b, TVector c, ref TVector d, TVector e, TVector f, TVector g, ref TVector h, uint k, TVector w)
    {
        var t1 = TOps.Add(TOps.Add(h, TOps.BigSigma1(e)), TOps.Add(TOps.Choose(e, f, g), TOps.Add(TOps.Broadcast(k), w)));
        var t2 = TOps.Add(TOps.BigSigma0(a), TOps.Majority(a, b, c));
        d = TOps.Add(d, t1);
        h = TOps.Add(t1, t2);
    }

    /// <summary>
    /// The next 16 words of the message schedule in place: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], where
    /// slot j holds W[t-16] before and W[t] after (earlier slots already hold this pass's words, later ones the last pass's).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ExpandSchedule(ref TVector w)
    {
        for (var j = 0; j < BlockWords; j++)
        {
            ref var slot = ref Unsafe.Add(ref w, j);
            slot = TOps.Add(
                TOps.Add(slot, TOps.SmallSigma1(Unsafe.Add(ref w, (j + 14) & 15))),
                TOps.Add(Unsafe.Add(ref w, (j + 9) & 15), TOps.SmallSigma0(Unsafe.Add(ref w, (j + 1) & 15))));
        }
    }
}
