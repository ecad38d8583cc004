using System.Management.Automation.Language;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Scripts;

/// <summary>
/// CI here has no pwsh, so the Pester tests, examples and build script cannot run; this at least proves every one
/// of them parses with PowerShell 7.6's own parser and names only commands that exist where they will run.
/// </summary>
public sealed class ScriptSyntaxTests
{
    public static TheoryData<string> Scripts()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(TestPaths.RepoRoot, "*.ps1", SearchOption.AllDirectories)
                     .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                              && !p.Contains($"{Path.DirectorySeparatorChar}out{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(TestPaths.RepoRoot, path));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Script_parses_without_errors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(TestPaths.RepoRoot, relativePath), out _, out var errors);
        Assert.True(errors.Length == 0, relativePath + ": " + string.Join("; ", errors.Select(e => $"line {e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void There_are_pester_tests_and_examples()
    {
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "tests", "Pester"), "*.Tests.ps1"));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "examples"), "*.ps1"));
    }
}
