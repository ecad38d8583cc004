namespace KolibriFacility.Core.Security.Pbkdf2;

/// <summary>Passwords Start .. Start + Count - 1, hashed together by one engine on one core.</summary>
internal readonly record struct Pbkdf2Batch(int Start, int Count, IPbkdf2Engine Engine)
{
    /// <summary>
    /// Full batches of the widest engine, then the rest in batches of narrower ones (13 left of 16 lanes: 8 + 4 + 1,
    /// the last one in a 4-lane batch), so no core spends a 16-lane batch on a few passwords. Engines come widest first.
    /// </summary>
    public static List<Pbkdf2Batch> Split(int count, IReadOnlyList<IPbkdf2Engine> engines)
    {
        var vectors = engines.Where(e => e.Lanes > 1).ToList();
        var scalar = engines.First(e => e.Lanes == 1);
        var batches = new List<Pbkdf2Batch>();
        for (var start = 0; start < count;)
        {
            var left = count - start;
            var engine = vectors.Count == 0 ? scalar : vectors.FirstOrDefault(e => e.Lanes <= left) ?? vectors[^1];
            var size = Math.Min(engine.Lanes, left);
            batches.Add(new Pbkdf2Batch(start, size, engine));
            start += size;
        }

        return batches;
    }
}
