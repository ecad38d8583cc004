namespace KolibriFacility.Core.Sandbox;

/// <summary>What New-FacilityDatabase puts in a sandbox database.</summary>
public sealed record SandboxOptions
{
    public string FacilityName { get; init; } = "Sandbox School";

    /// <summary>Number of sample users besides the device superuser (learners, class and facility coaches, a few admins).</summary>
    public int SampleUsers { get; init; }

    /// <summary>
    /// Number of sample content session logs (visits by sample learners to resources of two sample channels), with the
    /// matching summary logs. Needs sample users.
    /// </summary>
    public int SampleLogs { get; init; }

    /// <summary>Makes the sample data (names, classes, memberships, ids) repeatable; the facility's RSA key is always new.</summary>
    public int? Seed { get; init; }

    public string AdminUsername { get; init; } = "admin";

    public string AdminPassword { get; init; } = SandboxDefaults.AdminPassword;

    /// <summary>The password every sample user gets (hashed once with Kolibri's hasher and shared, so large sandboxes build in seconds).</summary>
    public string SamplePassword { get; init; } = SandboxDefaults.SamplePassword;

    /// <summary>The pytz zone name stored with timestamps, as Kolibri stores the server's zone.</summary>
    public string TimeZone { get; init; } = "UTC";
}

public static class SandboxDefaults
{
    public const string AdminPassword = "kolibri-admin";
    public const string SamplePassword = "kolibri123";
}

/// <summary>What was created.</summary>
public sealed record SandboxResult(string Path, string FacilityId, string FacilityName, string DatasetId, int Users, int Classes)
{
    public int SessionLogs { get; init; }
    public int SummaryLogs { get; init; }
}
