using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>4 lanes in 128-bit registers: SSE2 on x64, AdvSimd (NEON) on ARM64. The portable path for CPUs without AVX2.</summary>
internal readonly struct Lanes128 : ILaneOps<Vector128<uint>>
{
    public static int Lanes => Vector128<uint>.Count;

    public static bool IsSupported => Vector128.IsHardwareAccelerated;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Broadcast(uint value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Add(Vector128<uint> left, Vector128<uint> right) => left + right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Xor(Vector128<uint> left, Vector128<uint> right) => left ^ right;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Choose(Vector128<uint> e, Vector128<uint> f, Vector128<uint> g) => ((f ^ g) & e) ^ g;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> Majority(Vector128<uint> a, Vector128<uint> b, Vector128<uint> c) => (a & b) | (c & (a | b));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> BigSigma0(Vector128<uint> x) => RotateRight(x, 2) ^ RotateRight(x, 13) ^ RotateRight(x, 22);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> BigSigma1(Vector128<uint> x) => RotateRight(x, 6) ^ RotateRight(x, 11) ^ RotateRight(x, 25);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> SmallSigma0(Vector128<uint> x) => RotateRight(x, 7) ^ RotateRight(x, 18) ^ Vector128.ShiftRightLogical(x, 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<uint> SmallSigma1(Vector128<uint> x) => RotateRight(x, 17) ^ RotateRight(x, 19) ^ Vector128.ShiftRightLogical(x, 10);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<uint> RotateRight(Vector128<uint> x, int count) =>
        Vector128.ShiftRightLogical(x, count) | Vector128.ShiftLeft(x, 32 - count);
}
