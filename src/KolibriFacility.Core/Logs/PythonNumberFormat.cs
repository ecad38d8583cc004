using System.Globalization;
using System.Numerics;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// The two number formats of Kolibri's log export, reproduced exactly (INTEROP.md 2.3):
/// time spent is <c>"{:.1f}".format(round(x, 1))</c> and progress is <c>"{:.4f}".format(math.floor(x * 10000.0) / 10000)</c>.
/// Hand-written because .NET's "F1" rounds exact ties away from zero (0.25 -> "0.3") where Python rounds the exact
/// binary value half to even (0.25 -> "0.2", 0.15 -> "0.1" because 0.15 is stored as 0.1499...).
/// </summary>
public static class PythonNumberFormat
{
    /// <summary>Python's <c>"{:.1f}".format(round(x, 1))</c>: the exact binary value rounded half to even, one decimal.</summary>
    public static string OneDecimal(double value)
    {
        if (!double.IsFinite(value))
        {
            return NonFinite(value);
        }

        var negative = double.IsNegative(value);
        var tenths = RoundHalfEvenTenths(Math.Abs(value));
        var whole = BigInteger.DivRem(tenths, 10, out var fraction);
        return (negative ? "-" : "") + whole.ToString(CultureInfo.InvariantCulture) + "." + ((int)fraction).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Python's <c>"{:.4f}".format(math.floor(x * 10000.0) / 10000)</c>, with the same double arithmetic.</summary>
    public static string FlooredFourDecimals(double value)
    {
        if (!double.IsFinite(value))
        {
            return NonFinite(value);
        }

        var floored = Math.Floor(value * 10000.0);
        var result = floored / 10000;
        if (!double.IsFinite(result) || Math.Abs(floored) >= 9e15)
        {
            // Beyond 2^53 the quotient is no longer the exact decimal; format it exactly as Python would.
            return result.ToString("F4", CultureInfo.InvariantCulture);
        }

        // result is the double nearest to floored/10000, which "{:.4f}" prints as exactly those digits.
        var negative = double.IsNegative(result);
        var units = (long)Math.Abs(floored);
        return (negative ? "-" : "") + (units / 10000).ToString(CultureInfo.InvariantCulture) + "." +
            (units % 10000).ToString("D4", CultureInfo.InvariantCulture);
    }

    /// <summary>round(x * 10) for x >= 0, on the exact binary value, ties to even.</summary>
    private static BigInteger RoundHalfEvenTenths(double value)
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
            return new BigInteger(mantissa) * 10 << shift;
        }

        var scaled = new UInt128(0, (ulong)mantissa) * 10;
        if (-shift >= 127)
        {
            return BigInteger.Zero; // far below 0.05
        }

        var quotient = scaled >> -shift;
        var remainder = scaled - (quotient << -shift);
        var half = UInt128.One << (-shift - 1);
        if (remainder > half || (remainder == half && (quotient & UInt128.One) == UInt128.One))
        {
            quotient++;
        }

        return (BigInteger)quotient;
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
}
