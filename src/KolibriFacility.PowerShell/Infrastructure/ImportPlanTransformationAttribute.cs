using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Accepts an import plan as the object Get-FacilityImportPlan returned, as that object after Export-Clixml /
/// Import-Clixml (a deserialized object whose Json property carries the whole plan), as the plan's JSON text, or as
/// the path of a JSON file holding it.
/// </summary>
public sealed class ImportPlanTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        return value switch
        {
            ImportPlan plan => plan,
            string text when text.TrimStart().StartsWith('{') => Parse(text, "the JSON text"),
            string path => FromFile(engineIntrinsics, path),
            _ when inputData is PSObject deserialized && deserialized.Properties["Json"] is not null => FromDeserialized(deserialized),
            _ => throw new ArgumentTransformationMetadataException(
                $"'{value}' is not an import plan. Give the object Get-FacilityImportPlan returned (also after Export-Clixml / Import-Clixml), its JSON text, or the path of a JSON file saved from $plan.Json."),
        };
    }

    private static ImportPlan FromDeserialized(PSObject deserialized) =>
        deserialized.Properties["Json"]?.Value is string json
            ? Parse(json, "the deserialized plan")
            : throw new ArgumentTransformationMetadataException(
                "The object has no Json property, so it is not a saved import plan. Save plans with Export-Clixml or $plan.Json | Set-Content plan.json.");

    private static ImportPlan FromFile(EngineIntrinsics engine, string path)
    {
        string resolved;
        try
        {
            resolved = engine.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException)
        {
            throw new ArgumentTransformationMetadataException($"The plan path '{path}' cannot be resolved: {ex.Message}", ex);
        }

        if (!File.Exists(resolved))
        {
            throw new ArgumentTransformationMetadataException($"Cannot find the plan file '{resolved}'.");
        }

        return Parse(File.ReadAllText(resolved), $"the file '{resolved}'");
    }

    private static ImportPlan Parse(string json, string source)
    {
        try
        {
            return ImportPlan.FromJson(json);
        }
        catch (InvalidDataException ex)
        {
            throw new ArgumentTransformationMetadataException($"{source} is not a valid import plan: {ex.Message}", ex);
        }
    }
}
