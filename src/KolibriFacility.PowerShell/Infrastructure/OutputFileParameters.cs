using System.Management.Automation;
using System.Text;
using KolibriFacility.Core.Csv;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// -Path, -LiteralPath, -NoClobber, -Force and -Encoding of a cmdlet that writes one CSV file, as Export-Csv has
/// them, declared once: Export-FacilityUsers and New-FacilityLog return this object from
/// <see cref="IDynamicParameters.GetDynamicParameters"/> (their other parameters come from different base classes).
/// tools/HelpGenerator reads a cmdlet's public property of this type as part of its parameters.
/// </summary>
public sealed class OutputFileParameters
{
    internal const string PathSet = "Path";
    internal const string LiteralPathSet = "LiteralPath";

    /// <summary>Output file, or a folder to write Kolibri's default file name into. Default: Kolibri's file name in the current folder.</summary>
    [Parameter(Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <summary>Output file or folder taken literally (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string? LiteralPath { get; set; }

    /// <summary>Fail instead of overwriting an existing file.</summary>
    [Parameter]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Overwrite a read-only file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>File encoding. Default utf8BOM, as Kolibri writes and Excel expects; utf8NoBOM for none.</summary>
    [Parameter]
    [EncodingArgument]
    [ArgumentCompleter(typeof(EncodingCompleter))]
    public Encoding Encoding { get; set; } = CsvEncodings.KolibriDefault;

    /// <summary>The file to write, no wider than <paramref name="permissionsOf"/> (the database its data comes from).</summary>
    internal OutputFileTarget Target(string? permissionsOf) => new(Path, LiteralPath, NoClobber, Force, permissionsOf);
}
