using System.Reflection;

namespace KolibriFacility.HelpGenerator;

/// <summary>
/// Reads the cmdlets of a compiled assembly through MetadataLoadContext: attributes and types only, nothing is
/// executed or loaded into the running process, so the build never locks the module's dll.
/// </summary>
internal sealed class CmdletMetadataReader : IDisposable
{
    private const string Sma = "System.Management.Automation.";
    private readonly MetadataLoadContext context;
    private readonly Assembly assembly;

    /// <param name="assemblyPath">The cmdlet assembly.</param>
    /// <param name="references">Every assembly its types refer to (the framework's reference assemblies,
    /// System.Management.Automation, the module's own dependencies).</param>
    public CmdletMetadataReader(string assemblyPath, IEnumerable<string> references)
    {
        var paths = references.Append(assemblyPath)
            .Where(File.Exists)
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last());
        context = new MetadataLoadContext(new PathAssemblyResolver(paths));
        assembly = context.LoadFromAssemblyPath(assemblyPath);
    }

    public IReadOnlyList<CommandMetadata> ReadCmdlets() =>
        assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && t.IsPublic)
            .Select(t => (Type: t, Cmdlet: Attribute(t.GetCustomAttributesData(), "CmdletAttribute")))
            .Where(x => x.Cmdlet is not null)
            .Select(x => ReadCmdlet(x.Type, x.Cmdlet!))
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

    public void Dispose() => context.Dispose();

    private static CommandMetadata ReadCmdlet(Type type, CustomAttributeData cmdlet)
    {
        var verb = (string)cmdlet.ConstructorArguments[0].Value!;
        var noun = (string)cmdlet.ConstructorArguments[1].Value!;
        var parameters = ParametersOf(type).ToList();
        if (type.GetInterfaces().Any(i => i.FullName == Sma + "IDynamicParameters"))
        {
            // The cmdlet's GetDynamicParameters returns a parameter holder of the module that it keeps in a public
            // property: the holder's parameters are the cmdlet's too (nothing here runs the cmdlet to ask it).
            // PowerShell's own holders (PSCmdlet.PagingParameters) are not: they bind only with their cmdlet attribute.
            parameters.AddRange(type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                .Where(p => p.PropertyType.Assembly == type.Assembly && p.PropertyType.IsClass && ParametersOf(p.PropertyType).Any())
                .SelectMany(p => ParametersOf(p.PropertyType)));
        }

        if (Named(cmdlet, "SupportsShouldProcess") is true)
        {
            parameters.Add(CommonSwitch("WhatIf", "wi"));
            parameters.Add(CommonSwitch("Confirm", "cf"));
        }

        return new CommandMetadata(
            verb + "-" + noun,
            verb,
            noun,
            Named(cmdlet, "HelpUri") as string,
            ParameterSetsOf(parameters, Named(cmdlet, "DefaultParameterSetName") as string),
            parameters);
    }

    private static IEnumerable<ParameterMetadata> ParametersOf(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(ReadParameter).OfType<ParameterMetadata>();

    private static ParameterMetadata? ReadParameter(PropertyInfo property)
    {
        var attributes = property.GetCustomAttributesData();
        var sets = attributes
            .Where(a => IsSma(a, "ParameterAttribute"))
            .Select(a => new ParameterSetEntry(
                Named(a, "ParameterSetName") as string ?? ParameterSetEntry.AllSets,
                Named(a, "Mandatory") is true,
                Named(a, "Position") is int position && position >= 0 ? position : null,
                Named(a, "ValueFromPipeline") is true,
                Named(a, "ValueFromPipelineByPropertyName") is true))
            .ToList();
        if (sets.Count == 0)
        {
            return null;
        }

        var aliases = attributes.Where(a => IsSma(a, "AliasAttribute")).SelectMany(StringArguments).ToList();
        var validateSet = attributes.Where(a => IsSma(a, "ValidateSetAttribute")).SelectMany(StringArguments).ToList();
        var element = ElementType(property.PropertyType);
        var accepted = validateSet.Count > 0 ? validateSet
            : element.IsEnum ? element.GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => f.Name).ToList()
            : [];
        return new ParameterMetadata(
            property.Name,
            NameOf(property.PropertyType),
            property.PropertyType.FullName == Sma + "SwitchParameter",
            aliases,
            attributes.Any(a => IsSma(a, "SupportsWildcardsAttribute")),
            accepted,
            sets);
    }

    private static ParameterMetadata CommonSwitch(string name, string alias) => new(
        name,
        new TypeName("SwitchParameter", Sma + "SwitchParameter", false),
        true,
        [alias],
        false,
        [],
        [new ParameterSetEntry(ParameterSetEntry.AllSets, false, null, false, false)]);

    /// <summary>The sets in the order Get-Help should show them: the default set first, then as declared.</summary>
    private static List<string> ParameterSetsOf(List<ParameterMetadata> parameters, string? defaultSet)
    {
        var named = parameters.SelectMany(p => p.Sets).Select(s => s.SetName)
            .Where(s => s != ParameterSetEntry.AllSets).Distinct().ToList();
        if (named.Count == 0)
        {
            return [ParameterSetEntry.AllSets];
        }

        if (defaultSet is not null && named.Remove(defaultSet))
        {
            named.Insert(0, defaultSet);
        }

        return named;
    }

    private static TypeName NameOf(Type type)
    {
        var underlying = Nullable(type) ?? type;
        if (underlying.IsArray)
        {
            var element = NameOf(underlying.GetElementType()!);
            return new TypeName(element.Short + "[]", element.Full + "[]", true);
        }

        return new TypeName(underlying.Name, underlying.FullName ?? underlying.Name, false);
    }

    private static Type ElementType(Type type)
    {
        var underlying = Nullable(type) ?? type;
        return underlying.IsArray ? ElementType(underlying.GetElementType()!) : underlying;
    }

    private static Type? Nullable(Type type) =>
        type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : null;

    private static CustomAttributeData? Attribute(IEnumerable<CustomAttributeData> attributes, string name) =>
        attributes.FirstOrDefault(a => IsSma(a, name));

    private static bool IsSma(CustomAttributeData attribute, string name) => attribute.AttributeType.FullName == Sma + name;

    private static object? Named(CustomAttributeData attribute, string name) =>
        attribute.NamedArguments.Where(a => a.MemberName == name).Select(a => a.TypedValue.Value).FirstOrDefault();

    private static IEnumerable<string> StringArguments(CustomAttributeData attribute) =>
        attribute.ConstructorArguments.SelectMany(a => a.Value switch
        {
            IEnumerable<CustomAttributeTypedArgument> items => items.Select(i => (string)i.Value!),
            string s => [s],
            _ => Enumerable.Empty<string>(),
        });
}
