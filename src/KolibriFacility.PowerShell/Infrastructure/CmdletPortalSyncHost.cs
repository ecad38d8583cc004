using System.Management.Automation;
using KolibriFacility.Core.Portal;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// The portal sync workflow's view of a cmdlet: ShouldProcess, verbose and warning streams, Write-Progress for each
/// Kolibri sync. (A separate class: a cmdlet type must not implement Core types, which load only after import.)
/// </summary>
internal sealed class CmdletPortalSyncHost(PSCmdlet cmdlet, int progressId) : IPortalSyncHost
{
    private SyncProgressWriter? progress;

    public bool PreviewOnly => WhatIfMode.IsOn(cmdlet);

    public bool ShouldProcess(string target, string action) => cmdlet.ShouldProcess(target, action);

    public void Verbose(string message) => cmdlet.WriteVerbose(message);

    public void Warning(string message) => cmdlet.WriteWarning(message);

    public void SyncStarting(KolibriSyncRequest request)
    {
        progress = new SyncProgressWriter(cmdlet, progressId, $"Syncing '{request.FacilityName}' with {request.BaseUrl}");
        progress.Start();
    }

    public void SyncLine(KolibriOutputLine line)
    {
        progress?.Report(line);
        if (line.Text.Length > 0)
        {
            cmdlet.WriteVerbose("kolibri: " + line.Text);
        }
    }

    public void SyncFinished(SyncResult result) => progress?.Complete();
}
