using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Security.Pbkdf2;
using Xunit.Abstractions;

namespace KolibriFacility.Core.Tests.Security;

/// <summary>
/// Every vector path this machine has, forced in turn, against the BCL's Rfc2898DeriveBytes.Pbkdf2 on thousands of
/// random passwords and salts (iteration counts kept small so the BCL can check thousands; the full 260,000 run in
/// <see cref="PasswordHasherTests"/>).
/// </summary>
public sealed class MultiBufferPbkdf2Tests(ITestOutputHelper output)
{
    private const string DjangoSaltAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    private static readonly int[] EdgeLengths = [0, 1, 55, 56, 63, 64, 65, 128];

    public static TheoryData<Pbkdf2Path> VectorPaths => [Pbkdf2Path.Vector512, Pbkdf2Path.Vector256, Pbkdf2Path.Vector128];

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void A_vector_path_gives_the_bcl_keys_for_thousands_of_random_passwords_and_salts(Pbkdf2Path path)
    {
        if (!Pbkdf2Engines.IsSupported(path))
        {
            output.WriteLine($"{path} is not available on this machine ({string.Join(", ", PasswordHasher.SupportedPaths)} are); nothing to compare.");
            return;
        }

        var engine = Pbkdf2Engines.Create(path);
        var random = new Random(20261206 + (int)path);
        var compared = 0;
        while (compared < 3000)
        {
            var count = random.Next(1, engine.Lanes + 1); // partial batches too
            var passwords = Enumerable.Range(0, count).Select(_ => Password(random)).ToArray();
            var salts = Enumerable.Range(0, count).Select(_ => Salt(random)).ToArray();
            var iterations = random.Next(1, 40);
            var actual = new byte[count * 32];
            engine.DeriveKeys(passwords, salts, iterations, actual, CancellationToken.None);
            for (var i = 0; i < count; i++)
            {
                var expected = Rfc2898DeriveBytes.Pbkdf2(passwords[i], salts[i], iterations, HashAlgorithmName.SHA256, 32);
                Assert.True(expected.AsSpan().SequenceEqual(actual.AsSpan(i * 32, 32)),
                    $"{path}: password of {passwords[i].Length} bytes, salt of {salts[i].Length} bytes, {iterations} iterations, lane {i} of {count}");
            }

            compared += count;
        }

        output.WriteLine($"{path}: {compared} keys equal to the BCL's.");
    }

    [Theory]
    [MemberData(nameof(VectorPaths))]
    public void Every_edge_length_in_every_lane_gives_the_bcl_key(Pbkdf2Path path)
    {
        if (!Pbkdf2Engines.IsSupported(path))
        {
            return;
        }

        var engine = Pbkdf2Engines.Create(path);
        var unicode = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("Ñandú 🦜 ученик ", 20))); // long, 4-byte sequences included
        var lengths = EdgeLengths.Select(n => new byte[n].Select((_, i) => (byte)('A' + (i % 26))).ToArray()).Append(unicode).ToArray();
        foreach (var shift in Enumerable.Range(0, engine.Lanes))
        {
            // Each edge case lands in each lane once.
            var passwords = Enumerable.Range(0, engine.Lanes).Select(lane => lengths[(lane + shift) % lengths.Length]).ToArray();
            var salts = Enumerable.Range(0, engine.Lanes).Select(lane => lengths[(lane + shift + 3) % lengths.Length]).ToArray();
            var actual = new byte[engine.Lanes * 32];
            engine.DeriveKeys(passwords, salts, 5, actual, CancellationToken.None);
            for (var lane = 0; lane < engine.Lanes; lane++)
            {
                Assert.Equal(Rfc2898DeriveBytes.Pbkdf2(passwords[lane], salts[lane], 5, HashAlgorithmName.SHA256, 32), actual.AsSpan(lane * 32, 32).ToArray());
            }
        }
    }

    [Fact]
    public void Every_path_of_this_machine_passes_its_self_test()
    {
        foreach (var path in PasswordHasher.SupportedPaths)
        {
            Assert.Null(Pbkdf2SelfTest.Run(Pbkdf2Engines.Create(path)));
            output.WriteLine($"{path}: self-test passed");
        }

        Assert.Contains(Pbkdf2Path.Bcl, PasswordHasher.SupportedPaths);
    }

    [Fact]
    public void A_path_the_cpu_lacks_is_refused_with_the_paths_it_has()
    {
        var missing = Enum.GetValues<Pbkdf2Path>().Where(p => !Pbkdf2Engines.IsSupported(p)).ToList();
        foreach (var path in missing)
        {
            var ex = Assert.Throws<PlatformNotSupportedException>(() => new PasswordHasher(path));
            Assert.Contains("Bcl", ex.Message, StringComparison.Ordinal);
        }

        output.WriteLine(missing.Count == 0 ? "This machine has every path." : "Missing here: " + string.Join(", ", missing));
    }

    private static byte[] Password(Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                return RandomBytes(random, EdgeLengths[random.Next(EdgeLengths.Length)]);
            case 1:
                // Long Unicode: letters from several scripts, emoji included, up to 128 characters (Kolibri's limit).
                var chars = Enumerable.Range(0, random.Next(1, 129)).Select(_ => random.Next(5) switch
                {
                    0 => "é", 1 => "ж", 2 => "中", 3 => "🦜", _ => ((char)random.Next(0x20, 0x7f)).ToString(),
                });
                return Encoding.UTF8.GetBytes(string.Concat(chars));
            default:
                return RandomBytes(random, random.Next(0, 200));
        }
    }

    private static byte[] Salt(Random random) =>
        random.Next(3) == 0
            ? RandomBytes(random, random.Next(0, 130))
            : Encoding.ASCII.GetBytes(new string(Enumerable.Range(0, random.Next(2) == 0 ? 22 : 12).Select(_ => DjangoSaltAlphabet[random.Next(DjangoSaltAlphabet.Length)]).ToArray()));

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
