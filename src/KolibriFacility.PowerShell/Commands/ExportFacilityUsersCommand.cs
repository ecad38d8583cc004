using System.Management.Automation;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Writes a facility's users to a CSV file exactly as Kolibri's Facility > Data > Export users does, ready to edit
/// and import back.
/// </summary>
[Alias("Export-FacilityUser")]
[Cmdlet(VerbsData.Export, "FacilityUsers", SupportsShouldProcess = true, DefaultParameterSetName = OutputFileParameters.PathSet, HelpUri = HelpLinks.ExportFacilityUsers)]
[OutputType(typeof(FileInfo))]
public sealed class ExportFacilityUsersCommand : FacilityCmdlet, IDynamicParameters
{
    private const int ProgressId = 0x4B46;
    private readonly List<FacilityUser> piped = [];
    private bool anyPiped;
    private string? pipedDatabase;
    private string? pipedFacility;

    /// <summary>-Path, -LiteralPath, -NoClobber, -Force and -Encoding (dynamic parameters, declared once for the cmdlets that write a file).</summary>
    public OutputFileParameters FileParameters { get; } = new();

    /// <summary>Users to export (from Get-FacilityUser) instead of the whole facility.</summary>
    [Parameter(ValueFromPipeline = true)]
    public FacilityUser[]? InputObject { get; set; }

    /// <summary>Also export facility admins (Kolibri leaves them out).</summary>
    [Parameter]
    public SwitchParameter IncludeAdmins { get; set; }

    /// <summary>Return the written file.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    public object GetDynamicParameters() => FileParameters;

    protected override void Begin()
    {
        // A command fed by a pipeline exports what arrives, even nothing: `Get-FacilityUser -Username x* | Export-...`
        // matching no one must not fall back to exporting the whole facility.
        anyPiped = MyInvocation.ExpectingInput;
    }

    protected override void Process()
    {
        if (InputObject is null)
        {
            return;
        }

        anyPiped = true;
        piped.AddRange(InputObject.Where(u => u is not null));

        // PowerShell resets pipeline-bound parameters after each record, and -InputObject binds none: keep the first
        // user's database and facility for End, unless they were given on the command line.
        var first = InputObject.FirstOrDefault(u => u is not null);
        pipedDatabase ??= Database ?? NullIfEmpty(first?.Database);
        pipedFacility ??= Facility ?? NullIfEmpty(first?.FacilityId);
    }

    protected override void Complete()
    {
        Database ??= pipedDatabase;
        Facility ??= pipedFacility;
        // The database is opened only when needed: for the whole facility, or for Kolibri's default file name.
        // Piped users (or none) written to a named file need no database at all.
        var source = anyPiped ? "the " + piped.Count + " piped users" : $"the users of facility '{CurrentFacility.Name}'";
        var file = OutputFile.Prepare(this, FileParameters.Target(DatabaseFile),
            () => UsersCsvFormat.DefaultFileName(CurrentFacility.Name, CurrentFacility.Id), $"Export {source} to a Kolibri users CSV");
        if (file is null)
        {
            CloseDatabase();
            return;
        }

        if (anyPiped && piped.Count == 0)
        {
            WriteWarning($"No users came down the pipeline; '{file.Path}' has the header row only.");
        }

        if (anyPiped && !IncludeAdmins)
        {
            foreach (var admin in piped.Where(u => u.IsAdmin))
            {
                WriteWarning($"'{admin.Username}' is a facility admin and is left out, as Kolibri's export does; use -IncludeAdmins to export admins.");
            }
        }

        var users = anyPiped ? piped : new UserReader(OpenedDatabase).Read(CurrentFacility);
        var progress = new ProgressReporter(this, ProgressId, $"Exporting {source} to {System.IO.Path.GetFileName(file.Path)}");
        var counted = Counting(users, progress, anyPiped ? piped.Count : CurrentFacility.UserCount);
        var exporter = new UsersCsvExporter { IncludeAdmins = IncludeAdmins };
        bool written;
        int count;
        try
        {
            written = file.TryWrite(progress, stream => exporter.Write(stream, FileParameters.Encoding, counted, Cancellation), out count);
        }
        finally
        {
            CloseDatabase();
        }

        if (written)
        {
            WriteVerbose($"Wrote {count} users to {file.Path}");
            if (PassThru)
            {
                file.WriteItem();
            }
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static IEnumerable<FacilityUser> Counting(IEnumerable<FacilityUser> users, ProgressReporter progress, int total)
    {
        var done = 0;
        foreach (var user in users)
        {
            done++;
            progress.Report(done, total, $"{done} of {total} users");
            yield return user;
        }
    }
}
