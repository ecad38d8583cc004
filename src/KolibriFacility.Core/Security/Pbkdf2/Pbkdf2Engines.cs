using System.Runtime.Intrinsics;

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
