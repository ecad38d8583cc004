using KolibriFacility.Core.Security;
using KolibriFacility.Core.Security.Pbkdf2;
using KolibriFacility.Tests;
using Xunit.Abstractions;

namespace KolibriFacility.Core.Tests.Security;

/// <summary>The one hashing API, on every path of this machine, at Kolibri's real settings.</summary>
public sealed class PasswordHasherTests(ITestOutputHelper output)
{
    public static TheoryData<Pbkdf2Path> AllPaths => [Pbkdf2Path.Vector512, Pbkdf2Path.Vector256, Pbkdf2Path.Vector128, Pbkdf2Path.Bcl];

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Each_path_gives_the_django_test_vectors(Pbkdf2Path path)
    {
        if (!Pbkdf2Engines.IsSupported(path))
        {
            return;
        }

        var hasher = new PasswordHasher(path);
        Assert.Equal(path, hasher.Path);
        Assert.Equal(
            ["pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$kT00rBN1C/hXQnKf7XB845q+EPuI5j05Kj9jtxM+kJ4="],
            hasher.HashAll(["secret1"], ["abcdefghijklmnopqrstuv"], 260000));
        Assert.Equal(
            ["pbkdf2_sha256$36000$abcdefghijkl$guM3Yl7IBXgXOFoVu+bxH9THxIUhrRS0qX+EbmEa+HY="],
            hasher.HashAll(["secret1"], ["abcdefghijkl"], 36000));
    }

    [Theory]
    [MemberData(nameof(AllPaths))]
    public void Each_path_recomputes_every_hash_kolibri_wrote_in_the_fixture(Pbkdf2Path path)
    {
        if (!Pbkdf2Engines.IsSupported(path))
        {
            return;
        }

        // Kolibri 0.17.5 hashed these: 50 imported users with pass123, the superuser with adminpass (fixture README).
        var stored = DbFiles.Rows(TestPaths.FixtureDatabase, "SELECT username, password FROM kolibriauth_facilityuser ORDER BY username");
        if (path == Pbkdf2Path.Bcl)
        {
            stored = stored.Take(3).ToList(); // the reference itself; three are enough to show the format round trip
        }

        var passwords = stored.Select(r => r[0] == "admin" ? "adminpass" : "pass123").ToArray();
        var salts = stored.Select(r => r[1].Split('$')[2]).ToArray();
        Assert.All(stored, r => Assert.StartsWith("pbkdf2_sha256$260000$", r[1], StringComparison.Ordinal));

        var hashes = new PasswordHasher(path).HashAll(passwords, salts, DjangoPassword.Iterations);

        Assert.Equal(stored.Select(r => r[1]), hashes);
        output.WriteLine($"{path}: {hashes.Length} of Kolibri's hashes reproduced exactly.");
    }

    [Fact]
    public void The_default_hasher_uses_the_fastest_path_and_writes_hashes_in_kolibris_format_that_verify()
    {
        var hasher = PasswordHasher.Default;
        Assert.Equal(PasswordHasher.SupportedPaths.First(Pbkdf2Engines.IsPreferred), hasher.Path);
        Assert.Empty(hasher.Rejections);
        output.WriteLine($"default path: {hasher.Path} ({hasher.Lanes} passwords per core at once)");

        var passwords = Enumerable.Range(0, 21).Select(i => "learner-" + i + (i % 3 == 0 ? "-ñ🦜" : "")).ToArray();
        var hashes = hasher.HashAll(passwords);

        Assert.Equal(passwords.Length, hashes.Distinct().Count());
        for (var i = 0; i < passwords.Length; i++)
        {
            var parts = hashes[i].Split('$');
            Assert.Equal(["pbkdf2_sha256", "260000"], parts[..2]);
            Assert.Matches("^[a-zA-Z0-9]{22}$", parts[2]);
            Assert.Equal(44, parts[3].Length);
        }

        // Checked by the BCL, as Kolibri's check_password would: a few, at full cost.
        foreach (var i in new[] { 0, 7, 20 })
        {
            Assert.True(DjangoPassword.Verify(passwords[i], hashes[i]));
            Assert.False(DjangoPassword.Verify(passwords[i] + "x", hashes[i]));
        }
    }

    [Fact]
    public void A_path_that_fails_its_self_test_is_never_used_and_the_bcl_hashes_instead()
    {
        var real = Pbkdf2Engines.Create(PasswordHasher.SupportedPaths[0]);
        var hasher = new PasswordHasher([new OneBitWrong(real)]);

        Assert.Equal(Pbkdf2Path.Bcl, hasher.Path);
        var rejection = Assert.Single(hasher.Rejections);
        Assert.Contains("different from the BCL", rejection, StringComparison.Ordinal);

        var hashes = hasher.HashAll(["kid-pass", "other"], ["abcdefghijklmnopqrstuv", "abcdefghijklmnopqrstuv"], 1000);
        Assert.Equal(DjangoPassword.Hash("kid-pass", "abcdefghijklmnopqrstuv", 1000), hashes[0]);
        Assert.Equal(DjangoPassword.Hash("other", "abcdefghijklmnopqrstuv", 1000), hashes[1]);
    }

    [Fact]
    public void A_path_that_passes_its_self_test_is_used_through_the_same_constructor()
    {
        var real = Pbkdf2Engines.Create(PasswordHasher.SupportedPaths[0]);
        var hasher = new PasswordHasher([real]);
        Assert.Equal(real.Path, hasher.Path);
        Assert.Empty(hasher.Rejections);
    }

    [Fact]
    public void Many_passwords_are_split_into_full_batches_then_narrower_ones()
    {
        IPbkdf2Engine[] engines = [new FakeWidth(16), new FakeWidth(8), new FakeWidth(4), new BclPbkdf2Engine()];
        Assert.Equal([16, 16, 8, 4, 1], Pbkdf2Batch.Split(45, engines).Select(b => b.Count));
        Assert.Equal([16, 16, 8, 4, 4], Pbkdf2Batch.Split(45, engines).Select(b => b.Engine.Lanes)); // the last one, alone, in the narrowest vector
        Assert.Equal([4], Pbkdf2Batch.Split(1, engines).Select(b => b.Engine.Lanes));
        Assert.Equal([0, 16, 32, 40, 44], Pbkdf2Batch.Split(45, engines).Select(b => b.Start));
        Assert.Equal([1, 1, 1], Pbkdf2Batch.Split(3, [new BclPbkdf2Engine()]).Select(b => b.Count));
        Assert.Empty(Pbkdf2Batch.Split(0, engines));
    }

    [Fact]
    public void Progress_counts_every_password_and_ends_at_the_total()
    {
        var reported = new System.Collections.Concurrent.ConcurrentBag<int>();
        var passwords = Enumerable.Range(0, 37).Select(i => "p" + i).ToArray();
        var hashes = PasswordHasher.Default.HashAll(passwords, passwords.Select(_ => "salt").ToArray(), 3, new PasswordHashingOptions { Hashed = reported.Add });
        Assert.Equal(37, reported.Max());
        Assert.Equal(hashes, passwords.Select(p => DjangoPassword.Hash(p, "salt", 3)));
    }

    [Fact]
    public void No_passwords_give_no_hashes()
    {
        Assert.Empty(PasswordHasher.Default.HashAll([]));
    }

    [Fact]
    public void Cancelling_stops_hashing_with_operation_canceled()
    {
        // Cancelled as soon as the first password is done (not after a delay, which a fast machine outruns): the
        // rest must not be hashed.
        using var cancel = new CancellationTokenSource();
        var passwords = Enumerable.Range(0, 640).Select(i => "p" + i).ToArray();
        var hashed = 0;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PasswordHasher.Default.HashAll(passwords, new PasswordHashingOptions
            {
                Cancellation = cancel.Token,
                Hashed = done =>
                {
                    Interlocked.Exchange(ref hashed, done);
                    cancel.Cancel();
                },
            }));
        Assert.InRange(Volatile.Read(ref hashed), 1, passwords.Length / 2);
    }

    [Fact]
    public void A_salt_with_a_dollar_sign_is_refused_naming_it()
    {
        var ex = Assert.Throws<ArgumentException>(() => PasswordHasher.Default.HashAll(["a", "b"], ["good", "b$d"], 2));
        Assert.Contains("Salt 1 ('b$d')", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A real engine whose output has one bit flipped in its last lane: what a miscompiled vector path would look like
    /// (it claims a vector path even over the BCL, on a machine that has none).
    /// </summary>
    private sealed class OneBitWrong(IPbkdf2Engine real) : IPbkdf2Engine
    {
        public Pbkdf2Path Path => real.Path == Pbkdf2Path.Bcl ? Pbkdf2Path.Vector128 : real.Path;

        public int Lanes => real.Lanes;

        public void DeriveKeys(ReadOnlySpan<byte[]> passwords, ReadOnlySpan<byte[]> salts, int iterations, Span<byte> keys, CancellationToken cancellation)
        {
            real.DeriveKeys(passwords, salts, iterations, keys, cancellation);
            keys[(passwords.Length * 32) - 1] ^= 1;
        }
    }

    /// <summary>Only its width matters to the batch split.</summary>
    private sealed class FakeWidth(int lanes) : IPbkdf2Engine
    {
        public Pbkdf2Path Path => Pbkdf2Path.Vector128;

        public int Lanes => lanes;

        public void DeriveKeys(ReadOnlySpan<byte[]> passwords, ReadOnlySpan<byte[]> salts, int iterations, Span<byte> keys, CancellationToken cancellation) =>
            throw new InvalidOperationException("The split test never hashes.");
    }
}
