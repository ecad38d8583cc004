using System.Management.Automation;
using KolibriFacility.Core.Logs;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Writes a facility's session (Detail) or summary usage log to a CSV file exactly as Kolibri's Facility > Data >
/// Generate log does, streamed from the database to a temporary file that replaces the target only when complete.
/// </summary>
[Cmdlet(VerbsCommon.New, "FacilityLog", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, DefaultParameterSetName = OutputFileParameters.PathSet, HelpUri = HelpLinks.NewFacilityLog)]
[OutputType(typeof(FileInfo))]
public sealed class NewFacilityLogCommand : LogCmdlet, IDynamicParameters
{
    private const int ProgressId = 0x4B48;
    private readonly List<string> classes = [];
    private readonly List<string> users = [];
    private readonly HashSet<string> facilities = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>-Path, -LiteralPath, -NoClobber, -Force and -Encoding (dynamic parameters, declared once for the cmdlets that write a file).</summary>
    public OutputFileParameters FileParameters { get; } = new();

    public object GetDynamicParameters() => FileParameters;

    protected override void Process()
    {
        // Piped users (Get-FacilityUser | New-FacilityLog) arrive one per record; the file is written once, at the end.
        facilities.Add(Facility ?? "");
        classes.AddRange(Class ?? []);
        users.AddRange(Username ?? []);
    }

    protected override void Complete()
    {
        if (facilities.Count > 1)
        {
            throw Terminate(new ArgumentException($"The piped users belong to {facilities.Count} facilities ({string.Join(", ", facilities.Select(f => $"'{f}'"))}); a log file covers one facility. Pipe the users of one facility, or run once per facility."),
                ErrorIds.UsersOfSeveralFacilities, ErrorCategory.InvalidArgument, string.Join(", ", facilities));
        }

        var facility = CurrentFacility;
        var query = BuildQuery(facility, classes, users);
        if (query is null)
        {
            CloseDatabase();
            return;
        }

        var reader = new LogReader(OpenedDatabase);
        var description = Describe(facility, query);
        var file = OutputFile.Prepare(this, FileParameters.Target(OpenedDatabase.Path), () =>
        {
            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var start = query.StartDate ?? reader.FirstLogDate(facility) ?? today;
            var end = query.EndDate ?? today;
            return LogsCsvFormat.DefaultFileName(facility.Name, facility.Id, query.Type, start, end);
        }, "Write the " + description + " to a Kolibri log CSV");
        if (file is null)
        {
            CloseDatabase();
            return;
        }

        var total = reader.Count(facility, query);
        var progress = new ProgressReporter(this, ProgressId, $"Writing the {description} to {System.IO.Path.GetFileName(file.Path)}");
        bool written;
        long rows;
        try
        {
            written = file.TryWrite(progress, stream => LogsCsvExporter.Write(
                stream, FileParameters.Encoding, query.Type, reader.ReadRecords(facility, query, csvColumnsOnly: true, Cancellation),
                done => progress.Report(done, total, $"{done:N0} of about {total:N0} rows"), Cancellation), out rows);
        }
        finally
        {
            CloseDatabase();
        }

        if (written)
        {
            WriteVerbose($"Wrote {rows:N0} rows of the {description} to {file.Path}");
            file.WriteItem();
        }
    }}
