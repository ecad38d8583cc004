namespace KolibriFacility.Core.Logs;

/// <summary>
/// Kolibri's two usage logs (docs/Kolibri.md, Log types). Detail is the Data tab's name for Session logs and the same value.
/// </summary>
public enum LogType
{
    /// <summary>logger_contentsessionlog: one row per visit to a resource.</summary>
    Session = 0,

    /// <summary>logger_contentsummarylog: one row per learner and resource.</summary>
    Summary = 1,

    /// <summary>The Data tab's "Detail" log: the same as <see cref="Session"/>.</summary>
    Detail = Session,
}
