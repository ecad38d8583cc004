namespace KolibriFacility.Core.Portal;

/// <summary>How Kolibri's command line is started: a program and the arguments that come before "manage".</summary>
public sealed record KolibriProgram(string FileName, IReadOnlyList<string> PrefixArguments, string Source)
{
    public override string ToString() =>
        string.Join(' ', new[] { FileName }.Concat(PrefixArguments).Select(a => a.Contains(' ', StringComparison.Ordinal) ? "\"" + a + "\"" : a));
}
