namespace KolibriFacility.Core.Portal;

/// <summary>
/// Kolibri's sync states (job extra_metadata sync_state, docs/Kolibri.md, Sync states), in the order a full sync passes them.
/// Kolibri's own names are given by <see cref="SyncStates.KolibriName"/>.
/// </summary>
public enum SyncState
{
    Pending,
    SessionCreation,
    RemoteQueuing,
    Pulling,
    LocalDequeuing,
    LocalQueuing,
    Pushing,
    RemoteDequeuing,
    Completed,
    Cancelled,
    Failed,
}

/// <summary>Which way data went.</summary>
public enum SyncDirection
{
    /// <summary>Pull from the server, then push to it (Kolibri's default).</summary>
    PullAndPush,
    /// <summary>--no-push.</summary>
    PullOnly,
    /// <summary>--no-pull.</summary>
    PushOnly,
}

public static class SyncStates
{
    /// <summary>Kolibri's name for a state: SESSION_CREATION, PULLING, ...</summary>
    public static string KolibriName(this SyncState state) => state switch
    {
        SyncState.Pending => "PENDING",
        SyncState.SessionCreation => "SESSION_CREATION",
        SyncState.RemoteQueuing => "REMOTE_QUEUING",
        SyncState.Pulling => "PULLING",
        SyncState.LocalDequeuing => "LOCAL_DEQUEUING",
        SyncState.LocalQueuing => "LOCAL_QUEUING",
        SyncState.Pushing => "PUSHING",
        SyncState.RemoteDequeuing => "REMOTE_DEQUEUING",
        SyncState.Completed => "COMPLETED",
        SyncState.Cancelled => "CANCELLED",
        _ => "FAILED",
    };

    /// <summary>A short description for progress displays.</summary>
    public static string Describe(this SyncState state) => state switch
    {
        SyncState.Pending => "Starting Kolibri",
        SyncState.SessionCreation => "Creating sync session",
        SyncState.RemoteQueuing => "Server preparing data",
        SyncState.Pulling => "Receiving data",
        SyncState.LocalDequeuing => "Integrating received data",
        SyncState.LocalQueuing => "Preparing data to send",
        SyncState.Pushing => "Sending data",
        SyncState.RemoteDequeuing => "Server integrating data",
        SyncState.Completed => "Completed",
        SyncState.Cancelled => "Cancelled",
        _ => "Failed",
    };
}
