using System.Globalization;
using System.Numerics;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// The two number formats of Kolibri's log export, reproduced exactly (docs/Kolibri.md, Log values):
/// time spent is <c>"{:.1f}".format(round(x, 1))</c> and progress is <c>"{:.4f}".format(math.floor(x * 10000.0) / 10000)</c>.
/// Hand-written because .NET's "F1" rounds exact ties away from zero (0.25 -> "0.3") where Python rounds the exact
/// binary value half to even (0.25 -> "0.2", 0.15 -> "0.1" because 0.15 is stored as 0.1499...).
/// </summary>
public static class PythonNumberFormat
{
    /// <summary>Python's <c>"{:.1f}".format(round(x, 1))</c>: the exact binary value rounded half to even, one decimal.</summary>
    public static string OneDecimal(double value)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        return FormatOneDecimal(value, buffer, out var length) ? new string(buffer[..length]) : Fallback(value, decimals: 1);
    }

    /// <summary>Python's <c>"{:.4f}".format(math.floor(x * 10000.0) / 10000)</c>, with the same double arithmetic.</summary>
    public static string FlooredFourDecimals(double value)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        return FormatFlooredFourDecimals(value, buffer, out var length) ? new string(buffer[..length]) : Fallback(value, decimals: 4);
    }

    /// <summary>Writes <see cref="OneDecimal"/> into <paramref name="destination"/> (at least 32 chars); false for values it leaves to the slow path.</summary>
    public static bool FormatOneDecimal(double value, Span<char> destination, out int length)
    {
        length = 0;
        if (!double.IsFinite(value) || Math.Abs(value) >= 1e17)
        {
            return false;
        }

        var tenths = RoundHalfEvenTenths(Math.Abs(value));
        return WriteFixed(double.IsNegative(value), tenths, 10, 1, destination, out length);
    }

    /// <summary>Writes <see cref="FlooredFourDecimals"/> into <paramref name="destination"/> (at least 32 chars); false for values it leaves to the slow path.</summary>
    public static bool FormatFlooredFourDecimals(double value, Span<char> destination, out int length)
    {
        length = 0;
        var floored = Math.Floor(value * 10000.0);
        var result = floored / 10000;
        if (!double.IsFinite(result) || Math.Abs(floored) >= 9e15)
        {
            return false;
        }

        // result is the double nearest to floored/10000, which "{:.4f}" prints as exactly those digits.
        return WriteFixed(double.IsNegative(result), (ulong)Math.Abs(floored), 10000, 4, destination, out length);
    }

    private const int MaxLength = 32;

    private static bool WriteFixed(bool negative, ulong scaled, ulong unit, int decimals, Span<char> destination, out int length)
    {
        length = 0;
        if (negative)
        {
            destination[length++] = '-';
        }

        if (!(scaled / unit).TryFormat(destination[length..], out var wholeLength, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        length += wholeLength;
        destination[length++] = '.';
        var fraction = scaled % unit;
        for (var i = decimals - 1; i >= 0; i--)
        {
            destination[length + i] = (char)('0' + (int)(fraction % 10));
            fraction /= 10;
        }

        length += decimals;
        return true;
    }

    /// <summary>Beyond the fast path (huge or non-finite values), exact big-integer formatting as Python prints them.</summary>
    private static string Fallback(double value, int decimals)
    {
        if (!double.IsFinite(value))
        {
            return NonFinite(value);
        }

        if (decimals == 4)
        {
            return (Math.Floor(value * 10000.0) / 10000).ToString("F4", CultureInfo.InvariantCulture);
        }

        // |value| >= 1e17 is an integer in binary: no rounding needed.
        return (double.IsNegative(value) ? "-" : "") + new BigInteger(Math.Abs(value)).ToString(CultureInfo.InvariantCulture) + ".0";
    }

    /// <summary>round(x * 10) for 0 <= x < 1e17, on the exact binary value, ties to even.</summary>
    private static ulong RoundHalfEvenTenths(double value)
    {
        var bits = BitConverter.DoubleToInt64Bits(value);
        var exponent = (int)((bits >> 52) & 0x7FF);
        var mantissa = bits & 0xFFFFFFFFFFFFFL;
        if (exponent == 0)
        {
            exponent = 1; // subnormal
        }
        else
        {
            mantissa |= 1L << 52;
        }

        // value = mantissa * 2^shift exactly.
        var shift = exponent - 1075;
        if (shift >= 0)
        {
            return (ulong)mantissa * 10 << shift;
        }

        if (-shift >= 127)
        {
            return 0; // far below 0.05
        }

        var scaled = new UInt128(0, (ulong)mantissa) * 10;
        var quotient = scaled >> -shift;
        var remainder = scaled - (quotient << -shift);
        var half = UInt128.One << (-shift - 1);
        if (remainder > half || (remainder == half && (quotient & UInt128.One) == UInt128.One))
        {
            quotient++;
        }

        return (ulong)quotient;
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
}
