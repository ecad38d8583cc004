namespace KolibriFacility.Core.Portal;

/// <summary>What the portal sync workflow needs from whoever runs it (the cmdlet): decisions and a place to report.</summary>
public interface IPortalSyncHost
{
    /// <summary>True when nothing may change (-WhatIf): the workflow still checks what it can without changing anything.</summary>
    bool PreviewOnly { get; }

    /// <summary>Asks before a change (registration, a sync); false means skip it.</summary>
    bool ShouldProcess(string target, string action);

    void Verbose(string message);

    void Warning(string message);

    /// <summary>A Kolibri sync process is about to start.</summary>
    void SyncStarting(KolibriSyncRequest request);

    /// <summary>One line of Kolibri's output, on the caller's thread.</summary>
    void SyncLine(KolibriOutputLine line);

    /// <summary>A Kolibri sync process has ended (any status but Cancelled).</summary>
    void SyncFinished(SyncResult result);
}
