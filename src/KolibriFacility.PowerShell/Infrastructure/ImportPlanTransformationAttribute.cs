using System.Management.Automation;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Accepts an import plan as the object Get-FacilityImportPlan returned, as that object after Export-Clixml /
/// Import-Clixml (a deserialized object whose Json property carries the whole plan), as the plan's JSON text, or as
/// the path of a JSON file holding it. Anything else passes through unchanged, so a users CSV from the pipeline
/// binds to the path parameters instead.
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
            string path when IsPlanFile(engineIntrinsics, path, out var resolved) => Parse(File.ReadAllText(resolved), $"the file '{resolved}'"),
            _ when inputData is PSObject deserialized && deserialized.Properties["Json"] is not null => FromDeserialized(deserialized),
            // Anything else is left as it is, so the binder does not bind it here: from the pipeline a path string
            // or a file then binds to -Path or -LiteralPath ('./users.csv' | Import-FacilityUsers); given to -Plan
            // by name it ends in PowerShell's "Cannot convert ... to type ImportPlan".
            _ => inputData,
        };
    }

    /// <summary>A path to an existing file whose text starts as JSON does (a plan saved from $plan.Json).</summary>
    private static bool IsPlanFile(EngineIntrinsics engine, string path, out string resolved)
    {
        resolved = "";
        try
        {
            resolved = engine.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }
        catch (Exception ex) when (ex is ItemNotFoundException or System.Management.Automation.DriveNotFoundException or ProviderNotFoundException or NotSupportedException or PSArgumentException)
        {
            return false;
        }

        if (!File.Exists(resolved))
        {
            return false;
        }

        using var reader = new StreamReader(resolved, detectEncodingFromByteOrderMarks: true);
        int next;
        while ((next = reader.Read()) >= 0 && char.IsWhiteSpace((char)next))
        {
        }

        return next == '{';
    }

    private static ImportPlan FromDeserialized(PSObject deserialized) =>
        deserialized.Properties["Json"]?.Value is string json
            ? Parse(json, "the deserialized plan")
            : throw new ArgumentTransformationMetadataException(
                "The object has no Json property, so it is not a saved import plan. Save plans with Export-Clixml or $plan.Json | Set-Content plan.json.");

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
