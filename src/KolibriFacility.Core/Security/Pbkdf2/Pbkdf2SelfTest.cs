using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>
/// A known-answer test of an engine against the BCL before it may hash anything: every lane filled, passwords of the
/// lengths where SHA-256 and HMAC change behaviour (0, 1, 55, 56, 63, 64, 65, 128 bytes, multi-byte UTF-8), salts
/// of several lengths, and iteration counts that cover the first iteration, the loop and a cancellation check.
/// </summary>
internal static class Pbkdf2SelfTest
{
    private static readonly int[] PasswordLengths = [0, 1, 55, 56, 63, 64, 65, 128];
    private static readonly int[] SaltLengths = [22, 0, 1, 12, 55, 64, 119];
    private static readonly int[] IterationCounts = [1, 2, 3, 1025];

    /// <summary>Null when every key equals the BCL's; otherwise what differed.</summary>
    public static string? Run(IPbkdf2Engine engine)
    {
        var reference = new BclPbkdf2Engine();
        var passwords = new byte[engine.Lanes][];
        var salts = new byte[engine.Lanes][];
        for (var lane = 0; lane < engine.Lanes; lane++)
        {
            passwords[lane] = lane < PasswordLengths.Length
                ? Encoding.UTF8.GetBytes(new string((char)('a' + lane), PasswordLengths[lane]))
                : Encoding.UTF8.GetBytes("pässwörd ✓ " + lane.ToString(CultureInfo.InvariantCulture) + new string('€', lane));
            salts[lane] = Encoding.UTF8.GetBytes(new string((char)('Z' - lane), SaltLengths[lane % SaltLengths.Length]));
        }

        foreach (var iterations in IterationCounts)
        {
            // Full batches, and a batch with its last lane empty (the tail of a run).
            foreach (var count in new[] { engine.Lanes, Math.Max(1, engine.Lanes - 1) })
            {
                var actual = new byte[count * BclPbkdf2Engine.KeyLength];
                var expected = new byte[count * BclPbkdf2Engine.KeyLength];
                engine.DeriveKeys(passwords.AsSpan(0, count), salts.AsSpan(0, count), iterations, actual, CancellationToken.None);
                reference.DeriveKeys(passwords.AsSpan(0, count), salts.AsSpan(0, count), iterations, expected, CancellationToken.None);
                if (!CryptographicOperations.FixedTimeEquals(actual, expected))
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"{engine.Path} gave keys different from the BCL's ({count} passwords, {iterations} iterations).");
                }
            }
        }

        return null;
    }
}
