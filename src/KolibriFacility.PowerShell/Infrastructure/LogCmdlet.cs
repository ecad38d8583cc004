using System.Management.Automation;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Users;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.PowerShell.Completion;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// The selection New-FacilityLog and Get-FacilityLog share: log type, UTC date range (end day included), classes
/// (from <see cref="ClassFilterCmdlet"/>) and users, turned into a Core <see cref="LogQuery"/>.
/// </summary>
public abstract class LogCmdlet : ClassFilterCmdlet
{
    /// <summary>Session (or Detail, the Data tab's name for it): one row per visit to a resource; Summary: one row per learner and resource.</summary>
    /// <remarks>
    /// A string, not Core's LogType: an enum-typed field would make the runtime load Core while PowerShell inspects the
    /// cmdlet types, before the module initializer has set up Core's load context.
    /// </remarks>
    [Parameter]
    [ValidateSet("Session", "Detail", "Summary", IgnoreCase = true)]
    public string Type { get; set; } = "Session";

    protected LogType LogType => Enum.Parse<LogType>(Type, ignoreCase: true);

    /// <summary>First day (UTC) whose logs are included, by time of first interaction.</summary>
    [Parameter]
    [Alias("From")]
    public DateTime? StartDate { get; set; }

    /// <summary>Last day (UTC) whose logs are included; the whole day counts.</summary>
    [Parameter]
    [Alias("To")]
    public DateTime? EndDate { get; set; }

    /// <summary>Only logs of these users (usernames or ids; wildcards allowed). Binds Username from Get-FacilityUser; -User is an alias.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("User")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(UsernameCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? Username { get; set; }

    protected DateOnly? StartDay => StartDate is { } start ? DateOnly.FromDateTime(start) : null;

    protected DateOnly? EndDay => EndDate is { } end ? DateOnly.FromDateTime(end) : null;

    protected override void Begin()
    {
        if (StartDay is { } start && EndDay is { } end && end < start)
        {
            throw Terminate(new ArgumentException($"-EndDate {end:yyyy-MM-dd} is before -StartDate {start:yyyy-MM-dd}; the range would hold no logs."),
                ErrorIds.InvalidDateRange, ErrorCategory.InvalidArgument, EndDate);
        }
    }

    /// <summary>
    /// The query for the given class and user filters, or null when a filter was given and matches nobody (the
    /// literal names that matched nothing have been reported as errors).
    /// </summary>
    protected LogQuery? BuildQuery(Facility facility, IReadOnlyCollection<string>? classes, IReadOnlyCollection<string>? users)
    {
        var query = new LogQuery { Type = LogType, StartDate = StartDay, EndDate = EndDay };
        if (classes is { Count: > 0 })
        {
            var ids = MatchingClassIds(facility, classes);
            if (ids.Count == 0)
            {
                return null;
            }

            query = query with { ClassIds = ids };
        }

        if (users is { Count: > 0 })
        {
            var ids = MatchingIds(users, new UserNameReader(OpenedDatabase).Read(facility).Select(u => (u.Id, Name: u.Username)), ErrorIds.UserNotFound, "user", facility);
            if (ids.Count == 0)
            {
                return null;
            }

            query = query with { UserIds = ids };
        }

        return query;
    }

    protected static string Describe(Facility facility, LogQuery query)
    {
        var what = (query.Type == LogType.Summary ? "summary" : "session") + $" logs of facility '{facility.Name}'";
        if (query.StartDate is { } start)
        {
            what += $" from {start:yyyy-MM-dd}";
        }

        if (query.EndDate is { } end)
        {
            what += $" to {end:yyyy-MM-dd}";
        }

        if (query.ClassIds is { } classes)
        {
            what += $" for {classes.Count} class(es)";
        }

        if (query.UserIds is { } users)
        {
            what += $" for {users.Count} user(s)";
        }

        return what;
    }
}
