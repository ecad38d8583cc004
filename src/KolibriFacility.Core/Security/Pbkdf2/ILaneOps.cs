namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>
/// The 32-bit operations SHA-256 needs, over a vector whose lanes each belong to a different message. The
/// compression is written once against this interface; each implementation is a struct, so the JIT compiles one
/// specialised copy per vector width with every call inlined.
/// </summary>
internal interface ILaneOps<TVector>
    where TVector : unmanaged
{
    /// <summary>Messages per vector (32-bit lanes).</summary>
    static abstract int Lanes { get; }

    /// <summary>True when the CPU and the runtime accelerate this width (otherwise it would run far slower than the BCL).</summary>
    static abstract bool IsSupported { get; }

    static abstract TVector Broadcast(uint value);

    static abstract TVector Add(TVector left, TVector right);

    static abstract TVector Xor(TVector left, TVector right);

    /// <summary>SHA-256 Ch: bits of <paramref name="f"/> where <paramref name="e"/> is set, of <paramref name="g"/> elsewhere.</summary>
    static abstract TVector Choose(TVector e, TVector f, TVector g);

    /// <summary>SHA-256 Maj: the majority of each bit.</summary>
    static abstract TVector Majority(TVector a, TVector b, TVector c);

    /// <summary>SHA-256 Σ0: ROTR2 ^ ROTR13 ^ ROTR22.</summary>
    static abstract TVector BigSigma0(TVector x);

    /// <summary>SHA-256 Σ1: ROTR6 ^ ROTR11 ^ ROTR25.</summary>
    static abstract TVector BigSigma1(TVector x);

    /// <summary>SHA-256 σ0: ROTR7 ^ ROTR18 ^ SHR3.</summary>
    static abstract TVector SmallSigma0(TVector x);

    /// <summary>SHA-256 σ1: ROTR17 ^ ROTR19 ^ SHR10.</summary>
    static abstract TVector SmallSigma1(TVector x);
}
