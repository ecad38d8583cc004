namespace KolibriFacility.Core.Portal;

/// <summary>One `kolibri manage sync` run: what to sync, with whom and how.</summary>
public sealed class KolibriSyncRequest
{
    public const int KolibriUiChunkSize = 200;

    public required KolibriCommand Command { get; init; }
    /// <summary>The db.sqlite3 Kolibri must use; its folder becomes KOLIBRI_HOME.</summary>
    public required string DatabasePath { get; init; }
    public required string FacilityId { get; init; }
    /// <summary>The server's base URL (the portal URL, exactly as Kolibri's setting, or a peer Kolibri).</summary>
    public required string BaseUrl { get; init; }
    /// <summary>True for the Kolibri Data Portal: the child gets KOLIBRI_DATA_PORTAL_SYNCING_BASE_URL = BaseUrl so Kolibri recognises it as the portal.</summary>
    public bool IsPortal { get; init; }
    public SyncDirection Direction { get; init; } = SyncDirection.PullAndPush;
    /// <summary>A superuser/admin of the peer server (peer syncs only).</summary>
    public string? Username { get; init; }
    public string? Password { get; init; }
    public int ChunkSize { get; init; } = KolibriUiChunkSize;
    /// <summary>How long Kolibri gets to stop after an interrupt before it is killed.</summary>
    public TimeSpan StopGracePeriod { get; init; } = TimeSpan.FromSeconds(15);

    public string KolibriHome => Path.GetDirectoryName(Path.GetFullPath(DatabasePath))!;

    /// <summary>Kolibri's log file for this home (KOLIBRI_HOME/logs/kolibri.txt).</summary>
    public string LogPath => Path.Combine(KolibriHome, "logs", "kolibri.txt");

    /// <summary>The arguments after the command's own prefix.</summary>
    public IReadOnlyList<string> Arguments()
    {
        var arguments = new List<string>
        {
            "manage", "sync",
            "--facility", FacilityId,
            "--baseurl", BaseUrl,
            "--chunk-size", ChunkSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--noninteractive",
        };
        if (Direction == SyncDirection.PullOnly)
        {
            arguments.Add("--no-push");
        }
        else if (Direction == SyncDirection.PushOnly)
        {
            arguments.Add("--no-pull");
        }

        if (Username is not null)
        {
            arguments.AddRange(["--username", Username]);
        }

        if (Password is not null)
        {
            arguments.AddRange(["--password", Password]);
        }

        return arguments;
    }

    /// <summary>The command line for display: the password masked.</summary>
    public string DisplayCommandLine() =>
        Command + " " + string.Join(' ', MaskPassword(Arguments()).Select(a => a.Contains(' ', StringComparison.Ordinal) ? "\"" + a + "\"" : a));

    /// <summary>
    /// A line Kolibri printed, with the peer password masked: Kolibri logs its own command line
    /// ("Invoking command sync ... --password p"), and that line must not carry the password into verbose output.
    /// </summary>
    public string HidePasswordIn(string kolibriOutput) =>
        string.IsNullOrEmpty(Password)
            ? kolibriOutput
            : kolibriOutput.Replace("--password " + Password, "--password " + PasswordMask, StringComparison.Ordinal);

    private const string PasswordMask = "********";

    private static IEnumerable<string> MaskPassword(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            yield return i > 0 && arguments[i - 1] == "--password" ? PasswordMask : arguments[i];
        }
    }
}
