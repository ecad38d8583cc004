namespace KolibriFacility.Core.Sandbox;

/// <summary>One generated visit to a resource.</summary>
internal readonly record struct SampleSession(int User, int Resource, DateTimeOffset Start, DateTimeOffset End, double TimeSpent, double Progress);

/// <summary>A learner's totals for one resource, accumulated from their sessions as Kolibri's summary log is.</summary>
internal sealed class SampleSummary(int user, int resource, DateTimeOffset start)
{
    public int User { get; } = user;
    public int Resource { get; } = resource;
    public DateTimeOffset Start { get; private set; } = start;
    public DateTimeOffset End { get; private set; } = start;
    public DateTimeOffset? Completed { get; private set; }
    public double TimeSpent { get; private set; }
    public double Progress { get; private set; }

    public void Add(SampleSession session)
    {
        if (session.Start < Start) Start = session.Start;
        if (session.End > End) End = session.End;
        TimeSpent += session.TimeSpent;
        Progress = Math.Min(1.0, Math.Max(Progress, session.Progress));
        if (session.Progress >= 1.0 && (Completed is null || session.End < Completed))
        {
            Completed = session.End;
        }
    }
}

/// <summary>
/// Realistic visits: learners come back to the same few resources over the last four months, mostly on school-day
/// hours; time spent depends on the kind (a video minutes, an exercise longer), progress grows to completion.
/// </summary>
internal sealed class SampleLogGenerator(Random random, DateTimeOffset now)
{
    public IEnumerable<SampleSession> Sessions(int count, int users, IReadOnlyList<string> resourceKinds)
    {
        for (var i = 0; i < count; i++)
        {
            var user = random.Next(users);
            // Each learner favours a slice of the resources, so summaries aggregate several sessions.
            var resource = (user * 7 + (int)(Math.Pow(random.NextDouble(), 2) * resourceKinds.Count)) % resourceKinds.Count;
            var day = now.UtcDateTime.Date.AddDays(-random.Next(0, 120));
            var start = new DateTimeOffset(day, TimeSpan.Zero).AddHours(6 + random.Next(0, 11)).AddSeconds(random.NextDouble() * 3600);
            if (start > now)
            {
                start = now.AddSeconds(-random.Next(60, 86400));
            }

            var timeSpent = TimeSpent(resourceKinds[resource]);
            var progress = random.Next(3) == 0 ? 1.0 : Math.Round(random.NextDouble(), 6) * (random.Next(10) == 0 ? 1.2 : 1.0);
            yield return new SampleSession(user, resource, start, start.AddSeconds(timeSpent), timeSpent, progress);
        }
    }

    private double TimeSpent(string kind)
    {
        var typical = kind switch
        {
            "video" => 240.0,
            "exercise" => 420.0,
            "document" => 300.0,
            "audio" => 180.0,
            "html5" => 360.0,
            _ => 150.0,
        };
        return Math.Max(0.5, typical * -Math.Log(1 - random.NextDouble()));
    }
}
