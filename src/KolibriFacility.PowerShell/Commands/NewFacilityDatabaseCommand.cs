using System.Management.Automation;
using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Sandbox;
using KolibriFacility.Core.Storage;
using KolibriFacility.PowerShell.Infrastructure;

namespace KolibriFacility.PowerShell.Commands;

/// <summary>
/// Creates a sandbox Kolibri database for trying the module: Kolibri 0.17's schema, one facility with real morango
/// ids and certificate, a device superuser, and optional sample users and classes. Not a database to start Kolibri on.
/// </summary>
[Cmdlet(VerbsCommon.New, "FacilityDatabase", SupportsShouldProcess = true, HelpUri = HelpLinks.NewFacilityDatabase)]
[OutputType(typeof(Facility))]
public sealed class NewFacilityDatabaseCommand : KolibriCmdlet
{
    private const int ProgressId = 0x4B47;

    /// <summary>The database file to create (a folder gets db.sqlite3 inside).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>Name of the facility.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ValidateLength(1, 100)]
    public string FacilityName { get; set; } = "Sandbox School";

    /// <summary>Number of sample users (learners, coaches, a few admins) in sample classes.</summary>
    [Parameter]
    [ValidateRange(0, 1_000_000)]
    public int SampleUsers { get; set; }

    /// <summary>Number of sample content session logs (with the matching summary logs and two sample channels). Needs -SampleUsers.</summary>
    [Parameter]
    [ValidateRange(0, 10_000_000)]
    public int SampleLogs { get; set; }

    /// <summary>Makes the sample data repeatable.</summary>
    [Parameter]
    public int? Seed { get; set; }

    /// <summary>Username and password of the device superuser. Default: admin / kolibri-admin.</summary>
    [Parameter]
    [Credential]
    public PSCredential? AdminCredential { get; set; }

    /// <summary>Replace an existing file.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    protected override void Complete()
    {
        if (SampleLogs > 0 && SampleUsers == 0)
        {
            throw Terminate(new ArgumentException($"-SampleLogs {SampleLogs} needs sample users to own the logs: add -SampleUsers (for example -SampleUsers 200)."),
                ErrorIds.SampleLogsNeedUsers, ErrorCategory.InvalidArgument, SampleLogs);
        }

        var target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (Directory.Exists(target))
        {
            target = System.IO.Path.Combine(target, KolibriDatabaseLocator.DatabaseFileName);
        }

        var what = SampleUsers > 0 ? $"Create a sandbox Kolibri database with facility '{FacilityName}' and {SampleUsers} sample users" : $"Create a sandbox Kolibri database with facility '{FacilityName}'";
        if (SampleLogs > 0)
        {
            what += $" and {SampleLogs} sample session logs";
        }

        if (!ShouldProcess(target, what))
        {
            return;
        }

        if (File.Exists(target))
        {
            if (!Force)
            {
                WriteError(new ErrorRecord(new IOException($"The file '{target}' already exists. Use -Force to replace it (it will be deleted)."), ErrorIds.FileExists, ErrorCategory.ResourceExists, target));
                return;
            }

            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(target + suffix);
            }
        }

        var options = new SandboxOptions
        {
            FacilityName = FacilityName,
            SampleUsers = SampleUsers,
            SampleLogs = SampleLogs,
            Seed = Seed,
            AdminUsername = AdminCredential?.UserName ?? "admin",
            AdminPassword = AdminCredential?.GetNetworkCredential().Password ?? SandboxDefaults.AdminPassword,
        };
        var progress = new ProgressReporter(this, ProgressId, "New-FacilityDatabase");
        SandboxResult result;
        try
        {
            result = SandboxDatabase.Create(target, options, new Progress(progress, SampleUsers + SampleLogs), Cancellation);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Terminate(ex, ErrorIds.FileWriteFailed, ErrorCategory.WriteError, target);
        }
        finally
        {
            progress.Complete();
        }

        WriteVerbose($"Created {result.Path}: facility {result.FacilityId} (dataset {result.DatasetId}), {result.Users} users, {result.Classes} classes, {result.SessionLogs} session logs, {result.SummaryLogs} summary logs. Superuser '{options.AdminUsername}'; sample users' password is '{SandboxDefaults.SamplePassword}'.");
        using var database = KolibriDatabase.OpenRead(result.Path);
        WriteObject(new FacilityDirectory(database).Resolve(result.FacilityId));
    }

    // Progress<T> would post to a thread pool; the sandbox builder reports on this thread, so write directly.
    private sealed class Progress(ProgressReporter reporter, int total) : IProgress<int>
    {
        public void Report(int value) => reporter.Report(value, total, $"{value} of {total} sample users and logs");
    }
}
