using System.Reflection;

namespace KolibriFacility.HelpGenerator.Tests;

/// <summary>The real inputs of the build's GenerateHelp step: the built cmdlet assembly and its reference list.</summary>
internal static class BuiltModule
{
    public static string CmdletAssembly => Metadata("CmdletAssembly");

    public static string ReferencesFile => Metadata("CmdletReferences");

    public static string GeneratorAssembly => Metadata("GeneratorAssembly");

    public static IReadOnlyList<string> References => File.ReadAllLines(ReferencesFile).Where(l => l.Length > 0).ToList();

    public static IReadOnlyList<CommandMetadata> Cmdlets { get; } = ReadCmdlets();

    public static CommandMetadata Cmdlet(string name) => Cmdlets.Single(c => c.Name == name);

    private static List<CommandMetadata> ReadCmdlets()
    {
        using var reader = new CmdletMetadataReader(CmdletAssembly, References);
        return reader.ReadCmdlets().ToList();
    }

    private static string Metadata(string key) =>
        typeof(BuiltModule).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;
}
