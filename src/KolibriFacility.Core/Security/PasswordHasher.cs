using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using KolibriFacility.Core.Security.Pbkdf2;

namespace KolibriFacility.Core.Security;

/// <summary>
/// The module's one way to hash passwords as Kolibri stores them (<see cref="DjangoPassword"/>: PBKDF2-HMAC-SHA256,
/// 260,000 iterations, 22-character salts), many at once: 16, 8 or 4 passwords per vector on each core, on the
/// widest path the CPU has. A vector path hashes only after it has passed a known-answer test against the BCL in
/// this process; a path that fails falls back to the next narrower one and finally to the BCL.
/// </summary>
public sealed class PasswordHasher
{
    private static readonly ConcurrentDictionary<Pbkdf2Path, Lazy<string?>> Verdicts = new();
    private static readonly Lazy<PasswordHasher> Fastest = new(() => new PasswordHasher(Pbkdf2Engines.FastestFirst.First(Pbkdf2Engines.IsPreferred)));
    private readonly IPbkdf2Engine[] engines;

    /// <summary>
    /// Hashes on <paramref name="fastest"/> or, if it fails its self-test, a narrower verified path (the BCL last).
    /// Throws PlatformNotSupportedException when this CPU or runtime lacks <paramref name="fastest"/>.
    /// </summary>
    public PasswordHasher(Pbkdf2Path fastest)
    {
        if (!Pbkdf2Engines.IsSupported(fastest))
        {
            throw new PlatformNotSupportedException(
                $"PBKDF2 path {fastest} is not available on this CPU or runtime; available: {string.Join(", ", SupportedPaths)}.");
        }

        var rejected = new List<string>();
        engines = Pbkdf2Engines.FastestFirst
            .SkipWhile(p => p != fastest)
            .Where(Pbkdf2Engines.IsSupported)
            .Select(Pbkdf2Engines.Create)
            .Where(e => IsVerified(e, rejected, p => Verdicts.GetOrAdd(p, path => new Lazy<string?>(() => Pbkdf2SelfTest.Run(e))).Value))
            .ToArray();
        Rejections = rejected;
    }

    /// <summary>For tests: hashes with the first of <paramref name="candidates"/> that passes the self-test (verdicts not cached), else the BCL.</summary>
    internal PasswordHasher(IEnumerable<IPbkdf2Engine> candidates)
    {
        var rejected = new List<string>();
        engines = candidates.Where(e => IsVerified(e, rejected, _ => Pbkdf2SelfTest.Run(e))).Append(new BclPbkdf2Engine()).ToArray();
        Rejections = rejected;
    }

    /// <summary>The fastest verified path of this machine (Vector128 only where the CPU lacks SHA-256 instructions), shared by the whole process.</summary>
    public static PasswordHasher Default => Fastest.Value;

    /// <summary>Every path this CPU and runtime can run, fastest first (the BCL always).</summary>
    public static IReadOnlyList<Pbkdf2Path> SupportedPaths => Pbkdf2Engines.FastestFirst.Where(Pbkdf2Engines.IsSupported).ToArray();

    /// <summary>The path that hashes full batches.</summary>
    public Pbkdf2Path Path => engines[0].Path;

    /// <summary>Passwords hashed together on one core by <see cref="Path"/>.</summary>
    public int Lanes => engines[0].Lanes;

    /// <summary>Faster paths that failed their self-test, and why (empty when none did).</summary>
    public IReadOnlyList<string> Rejections { get; }

    /// <summary>Django hashes of <paramref name="passwords"/> with new random salts and Kolibri's 260,000 iterations, in order.</summary>
    public string[] HashAll(IReadOnlyList<string> passwords, PasswordHashingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(passwords);
        var salts = new string[passwords.Count];
        for (var i = 0; i < salts.Length; i++)
        {
            salts[i] = DjangoPassword.NewSalt();
        }

        return HashAll(passwords, salts, DjangoPassword.Iterations, options);
    }

    /// <summary>Django hashes of <paramref name="passwords"/> with the given salts and iteration count, in order.</summary>
    public string[] HashAll(IReadOnlyList<string> passwords, IReadOnlyList<string> salts, int iterations, PasswordHashingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(passwords);
        ArgumentNullException.ThrowIfNull(salts);
        if (salts.Count != passwords.Count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{passwords.Count} passwords but {salts.Count} salts."), nameof(salts));
        }

        for (var i = 0; i < salts.Count; i++)
        {
            DjangoPassword.CheckSalt(salts[i], i);
        }

        var passwordBytes = passwords.Select(p => Encoding.UTF8.GetBytes(p ?? throw new ArgumentException("A password is null.", nameof(passwords)))).ToArray();
        var saltBytes = salts.Select(s => Encoding.UTF8.GetBytes(s)).ToArray();
        try
        {
            var keys = DeriveKeys(passwordBytes, saltBytes, iterations, options ?? new PasswordHashingOptions());
            var hashes = new string[passwords.Count];
            for (var i = 0; i < hashes.Length; i++)
            {
                hashes[i] = DjangoPassword.Format(salts[i], iterations, keys.AsSpan(i * BclPbkdf2Engine.KeyLength, BclPbkdf2Engine.KeyLength));
            }

            return hashes;
        }
        finally
        {
            foreach (var bytes in passwordBytes)
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        }
    }

    /// <summary>32-byte PBKDF2-HMAC-SHA256 keys, one after another, for each password with its salt.</summary>
    internal byte[] DeriveKeys(byte[][] passwords, byte[][] salts, int iterations, PasswordHashingOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, 1);
        var cancellation = options.Cancellation;
        var keys = new byte[passwords.Length * BclPbkdf2Engine.KeyLength];
        var batches = Pbkdf2Batch.Split(passwords.Length, engines);
        if (batches.Count == 0)
        {
            return keys;
        }

        var done = 0;
        try
        {
            Parallel.ForEach(
                System.Collections.Concurrent.Partitioner.Create(0, batches.Count, 1),
                new ParallelOptions { CancellationToken = cancellation, MaxDegreeOfParallelism = Math.Max(1, options.Parallelism ?? Environment.ProcessorCount) },
                range =>
                {
                    for (var b = range.Item1; b < range.Item2; b++)
                    {
                        var batch = batches[b];
                        batch.Engine.DeriveKeys(
                            passwords.AsSpan(batch.Start, batch.Count), salts.AsSpan(batch.Start, batch.Count), iterations,
                            keys.AsSpan(batch.Start * BclPbkdf2Engine.KeyLength, batch.Count * BclPbkdf2Engine.KeyLength), cancellation);
                        options.Hashed?.Invoke(Interlocked.Add(ref done, batch.Count));
                    }
                });
        }
        catch (AggregateException ex) when (cancellation.IsCancellationRequested && ex.InnerExceptions.All(e => e is OperationCanceledException))
        {
            throw new OperationCanceledException(cancellation);
        }

        return keys;
    }

    private static bool IsVerified(IPbkdf2Engine engine, List<string> rejected, Func<Pbkdf2Path, string?> verdict)
    {
        if (engine.Path == Pbkdf2Path.Bcl)
        {
            return true; // the reference itself
        }

        var failure = verdict(engine.Path);
        if (failure is not null)
        {
            rejected.Add(failure);
        }

        return failure is null;
    }
}

/// <summary>How <see cref="PasswordHasher.HashAll(IReadOnlyList{string}, PasswordHashingOptions?)"/> runs.</summary>
public sealed class PasswordHashingOptions
{
    /// <summary>Cores to use; default all.</summary>
    public int? Parallelism { get; init; }

    /// <summary>Called from worker threads with the number of passwords hashed so far, after each batch.</summary>
    public Action<int>? Hashed { get; init; }

    public CancellationToken Cancellation { get; init; }
}
