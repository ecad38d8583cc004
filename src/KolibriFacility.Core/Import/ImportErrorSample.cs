namespace KolibriFacility.Core.Import;

/// <summary>
/// The errors worth printing when a file has thousands: the first few of each rule, in file order, and how many of
/// each rule are left out. Every error stays in the plan and in the rejected-rows file; this only spares the screen.
/// </summary>
public sealed class ImportErrorSample
{
    /// <summary>Errors printed per rule (ErrorId) before the rest of that rule is only counted.</summary>
    public const int DefaultPerRule = 20;

    private ImportErrorSample(IReadOnlyList<ImportError> shown, IReadOnlyList<KeyValuePair<string, int>> leftOut)
    {
        Shown = shown;
        LeftOut = leftOut;
    }

    /// <summary>The errors to print, in their original order.</summary>
    public IReadOnlyList<ImportError> Shown { get; }

    /// <summary>Per rule with more errors than were shown: its ErrorId and how many were left out, in order of first appearance.</summary>
    public IReadOnlyList<KeyValuePair<string, int>> LeftOut { get; }

    public static ImportErrorSample Of(IEnumerable<ImportError> errors, int perRule = DefaultPerRule)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentOutOfRangeException.ThrowIfNegative(perRule);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        var shown = new List<ImportError>();
        foreach (var error in errors)
        {
            if (!seen.TryGetValue(error.ErrorId, out var count))
            {
                order.Add(error.ErrorId);
            }

            seen[error.ErrorId] = count + 1;
            if (count < perRule)
            {
                shown.Add(error);
            }
        }

        var leftOut = order.Where(id => seen[id] > perRule).Select(id => new KeyValuePair<string, int>(id, seen[id] - perRule)).ToList();
        return new ImportErrorSample(shown, leftOut);
    }
}
