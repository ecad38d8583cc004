using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace KolibriFacility.Core.Import;

/// <summary>
/// Everything an import will do, computed without writing or hashing anything: the changes, the errors and warnings,
/// the CSV's SHA-256 and the facility's fingerprint at planning time. It can be saved (ToJson) and applied later;
/// applying re-checks the fingerprint inside the write transaction.
/// </summary>
public sealed class ImportPlan
{
    /// <summary>Version of the saved-plan format; FromJson refuses other versions.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    public int FormatVersion { get; init; } = CurrentFormatVersion;
    public required ImportSummary Summary { get; init; }
    public required IReadOnlyList<ImportChange> Changes { get; init; }
    public required IReadOnlyList<ImportError> Errors { get; init; }
    public required IReadOnlyList<ImportWarning> Warnings { get; init; }
    public string? CsvPath { get; init; }
    public required string CsvSha256 { get; init; }
    public required string DatabasePath { get; init; }
    public required string FacilityId { get; init; }
    public required string FacilityName { get; init; }
    public required string DatasetId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required ImportOptions Options { get; init; }
    public required FacilityFingerprint Fingerprint { get; init; }

    /// <summary>Users that are neither facility admins nor superusers (the base of the deletion threshold).</summary>
    public int NonAdminUserCount { get; init; }

    /// <summary>True when the CSV file itself (encoding, quoting, header) could not be used: nothing can be applied.</summary>
    public bool HasFileErrors { get; init; }

    /// <summary>
    /// Why the CSV looks cut short (a copy or download that stopped early deletes every user after the cut), or null.
    /// Set only when the import deletes users. Applying is refused unless <see cref="ImportOptions.FileIsComplete"/>.
    /// </summary>
    public string? SuspectedTruncation { get; init; }

    [JsonIgnore] public bool IsRefusedAsTruncated => SuspectedTruncation is not null && !Options.FileIsComplete;

    /// <summary>Names of classes to delete that still have lessons or quizzes.</summary>
    public IReadOnlyList<string> ClassesWithLessonsOrQuizzes { get; init; } = [];

    /// <summary>The pytz zone name written with new timestamps (the zone Kolibri uses on this server).</summary>
    public string TimeZone { get; init; } = "UTC";

    [JsonIgnore] public bool HasErrors => Errors.Count > 0;

    /// <summary>The rows the changes come from, by row number: what the writer creates and updates users from. Not saved: the applier plans again before writing.</summary>
    [JsonIgnore] internal IReadOnlyDictionary<int, UsersCsv.ImportRow> Rows { get; init; } = new Dictionary<int, UsersCsv.ImportRow>();

    [JsonIgnore] public bool IsEmpty => Changes.Count == 0;

    /// <summary>More users deleted than -MaxDeletions, or (without it) more than 10 and more than 20% of the non-admin users.</summary>
    [JsonIgnore]
    public bool DeletionsExceedThreshold => Options.MaxDeletions is { } max
        ? Summary.UsersDeleted > max
        : Summary.UsersDeleted > 10 && Summary.UsersDeleted * 5 > NonAdminUserCount;

    [JsonIgnore] public bool IsRefused => Refusal != ImportRefusal.None;

    /// <summary>Why applying this plan is refused (the rules), or None.</summary>
    [JsonIgnore]
    public ImportRefusal Refusal =>
        (HasFileErrors ? ImportRefusal.FileErrors : HasErrors && !Options.SkipInvalidRows ? ImportRefusal.RowErrors : ImportRefusal.None)
        | (IsRefusedAsTruncated ? ImportRefusal.LooksTruncated : ImportRefusal.None)
        | (DeletionsExceedThreshold && !(Options.Force && Options.MaxDeletions is null) ? ImportRefusal.TooManyDeletions : ImportRefusal.None)
        | (ClassesWithLessonsOrQuizzes.Count > 0 && !Options.Force ? ImportRefusal.ClassesWithLessons : ImportRefusal.None);

    /// <summary>Why applying this plan is refused, in words (what to do about it is the caller's to say), or null.</summary>
    [JsonIgnore]
    public string? RefusalReason
    {
        get
        {
            var refusal = Refusal;
            var reasons = new List<string>();
            if (refusal.HasFlag(ImportRefusal.FileErrors))
            {
                reasons.Add("The CSV file cannot be used: " + string.Join(" ", Errors.Where(e => e.Row is null).Take(3).Select(e => e.Message)));
            }
            else if (refusal.HasFlag(ImportRefusal.RowErrors))
            {
                reasons.Add(Inv($"The plan has {Errors.Count} error(s) (first: {Errors[0]}), and invalid rows are not skipped."));
            }

            if (refusal.HasFlag(ImportRefusal.LooksTruncated))
            {
                reasons.Add($"The CSV looks cut short: {SuspectedTruncation}");
            }

            if (refusal.HasFlag(ImportRefusal.TooManyDeletions))
            {
                reasons.Add(Options.MaxDeletions is { } max
                    ? Inv($"The import would delete {Summary.UsersDeleted} users, more than the limit of {max} deletions.")
                    : Inv($"The import would delete {Summary.UsersDeleted} users, more than 10 and more than 20% of the facility's {NonAdminUserCount} non-admin users."));
            }

            if (refusal.HasFlag(ImportRefusal.ClassesWithLessons))
            {
                reasons.Add("These classes would be deleted but still have lessons or quizzes: "
                    + string.Join(", ", ClassesWithLessonsOrQuizzes.Select(n => "'" + n + "'")) + ".");
            }

            return reasons.Count == 0 ? null : string.Join(" ", reasons);
        }
    }

    /// <summary>
    /// Every data row that is not applied, by row number, with the reasons: its errors (CSV rules and planning), or
    /// for a valid row the warning that another, invalid row protects its user. What the rejected-rows file holds.
    /// </summary>
    public IReadOnlyDictionary<int, IReadOnlyList<string>> SkippedRows()
    {
        var reasons = new SortedDictionary<int, List<string>>();
        foreach (var error in Errors.Where(e => e.Row is not null))
        {
            Reasons(error.Row!.Value).Add(error.Message);
        }

        var withErrors = reasons.Keys.ToHashSet();
        foreach (var warning in Warnings.Where(w => w.Row is { } row && w.WarningId == ImportWarningIds.InvalidRowUserProtected && !withErrors.Contains(row)))
        {
            Reasons(warning.Row!.Value).Add(warning.Message);
        }

        return reasons.ToDictionary(r => r.Key, r => (IReadOnlyList<string>)r.Value);

        List<string> Reasons(int row) => reasons.TryGetValue(row, out var list) ? list : reasons[row] = [];
    }

    /// <summary>Null when <paramref name="fresh"/> (planned again now) saw the same facility state, else a message naming what changed.</summary>
    public string? FindConflict(ImportPlan fresh)
    {
        if (!string.Equals(fresh.FacilityId, FacilityId, StringComparison.Ordinal))
        {
            return $"The plan is for facility '{FacilityName}' ({FacilityId}), not '{fresh.FacilityName}' ({fresh.FacilityId}).";
        }

        return Fingerprint.Describe(fresh.Fingerprint);
    }

    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);

    [JsonIgnore] public string Json => ToJson();

    /// <summary>Reads a plan saved with ToJson; throws InvalidDataException naming what is wrong.</summary>
    public static ImportPlan FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        ImportPlan? plan;
        try
        {
            plan = JsonSerializer.Deserialize<ImportPlan>(json, JsonOptions);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"This is not a saved import plan: {ex.Message}", ex);
        }
        catch (NotSupportedException ex)
        {
            throw new InvalidDataException($"This is not a saved import plan: {ex.Message}", ex);
        }

        if (plan is null)
        {
            throw new InvalidDataException("This is not a saved import plan: the JSON is 'null'.");
        }

        if (plan.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException(Inv($"The saved import plan has format version {plan.FormatVersion}; this module reads version {CurrentFormatVersion}. Plan the import again."));
        }

        if (plan.CsvSha256.Length != 64 || plan.Fingerprint.Users.Length != 64)
        {
            throw new InvalidDataException("The saved import plan is damaged: its CSV hash or facility fingerprint is not a SHA-256.");
        }

        return plan;
    }

    public override string ToString() => $"Import plan for '{FacilityName}': " + Summary.ToString().Replace(Environment.NewLine, "; ", StringComparison.Ordinal);

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
