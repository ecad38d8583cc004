using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Matches names against -Name style arguments, case-insensitively, the way Get-Process does: wildcards that match
/// nothing are silent, literal names that match nothing are reported.
/// </summary>
internal sealed class NameFilter
{
    // A class, not a value tuple: generic code over reference types is shared and precompiled in the framework, while
    // List/LINQ over (string, WildcardPattern, bool) is JIT-compiled at the first Get-FacilityUser (12 methods).
    private readonly List<NamePattern> patterns;
    private readonly HashSet<string> matchedLiterals = new(StringComparer.OrdinalIgnoreCase);

    public NameFilter(IEnumerable<string>? names)
    {
        patterns = (names ?? [])
            .Select(n => new NamePattern(n, WildcardPattern.Get(n, WildcardOptions.IgnoreCase), WildcardPattern.ContainsWildcardCharacters(n)))
            .ToList();
    }

    public bool IsEmpty => patterns.Count == 0;

    public bool HasOnlyLiterals => patterns.Count > 0 && patterns.TrueForAll(p => !p.IsWildcard);

    public IEnumerable<string> Literals => patterns.Where(p => !p.IsWildcard).Select(p => p.Text);

    /// <summary>True when no filter was given or any of the candidate values matches.</summary>
    public bool IsMatch(params string[] candidates)
    {
        if (patterns.Count == 0)
        {
            return true;
        }

        var any = false;
        foreach (var name in patterns)
        {
            if (candidates.Any(name.Pattern.IsMatch))
            {
                any = true;
                if (!name.IsWildcard)
                {
                    matchedLiterals.Add(name.Text);
                }
            }
        }

        return any;
    }

    public IEnumerable<string> UnmatchedLiterals() => Literals.Where(l => !matchedLiterals.Contains(l));

    private sealed record NamePattern(string Text, WildcardPattern Pattern, bool IsWildcard);
}
