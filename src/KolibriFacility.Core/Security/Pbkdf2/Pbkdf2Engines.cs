using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>The PBKDF2 paths this process can run, fastest first, and the engine for each.</summary>
internal static class Pbkdf2Engines
{
    public static IReadOnlyList<Pbkdf2Path> FastestFirst { get; } = [Pbkdf2Path.Vector512, Pbkdf2Path.Vector256, Pbkdf2Path.Vector128, Pbkdf2Path.Bcl];

    public static bool IsSupported(Pbkdf2Path path) => path switch
    {
        Pbkdf2Path.Vector512 => Lanes512.IsSupported,
        Pbkdf2Path.Vector256 => Lanes256.IsSupported,
        Pbkdf2Path.Vector128 => Lanes128.IsSupported,
        Pbkdf2Path.Bcl => true,
        _ => false,
    };

    /// <summary>
    /// Whether <paramref name="path"/> should hash by default. Four lanes of plain SIMD only about match the BCL where
    /// the CPU has SHA-256 instructions, which OpenSSL, CNG and CommonCrypto use (measured on x64 with SHA-NI: 1.0 to
    /// 1.2 x); so there the BCL hashes, and Vector128 only where the CPU has none (Raspberry Pi 4 class ARM, older x64).
    /// </summary>
    public static bool IsPreferred(Pbkdf2Path path) => IsSupported(path) && (path != Pbkdf2Path.Vector128 || !HasSha256Instructions());

    private static bool HasSha256Instructions()
    {
        if (System.Runtime.Intrinsics.Arm.Sha256.IsSupported)
        {
            return true;
        }

        const int ShaExtensionsBit = 1 << 29; // CPUID leaf 7, sub-leaf 0, EBX bit 29: SHA-NI
        return X86Base.IsSupported && X86Base.CpuId(0, 0).Eax >= 7 && (X86Base.CpuId(7, 0).Ebx & ShaExtensionsBit) != 0;
    }

    /// <summary>The engine for <paramref name="path"/>, not yet verified. Throws PlatformNotSupportedException when the CPU lacks it.</summary>
    public static IPbkdf2Engine Create(Pbkdf2Path path) => path switch
    {
        Pbkdf2Path.Vector512 => new VectorPbkdf2Engine<Vector512<uint>, Lanes512>(path),
        Pbkdf2Path.Vector256 => new VectorPbkdf2Engine<Vector256<uint>, Lanes256>(path),
        Pbkdf2Path.Vector128 => new VectorPbkdf2Engine<Vector128<uint>, Lanes128>(path),
        Pbkdf2Path.Bcl => new BclPbkdf2Engine(),
        _ => throw new ArgumentOutOfRangeException(nameof(path), path, "Unknown PBKDF2 path."),
    };
}
