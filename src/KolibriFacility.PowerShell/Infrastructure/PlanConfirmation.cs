using System.Globalization;
using System.Management.Automation;
using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>How a plan is confirmed, for the import and the user and class cmdlets alike.</summary>
internal static class PlanConfirmation
{
    /// <summary>Past this many additions and updates, the question lists the summary instead of each change.</summary>
    private const int ListedChanges = 20;

    /// <summary>
    /// One confirmation for everything that only adds or updates, then one per destructive change (each deletion,
    /// clear or removal; "No" keeps that one). Returns the ids of the declined destructive changes, or null when the
    /// whole plan was declined. <paramref name="title"/> names the operation: "Import 'x.csv' into facility 'F'".
    /// </summary>
    public static HashSet<int>? Confirm(Cmdlet cmdlet, ImportPlan plan, string title, string caption)
    {
        var constructive = plan.Changes.Where(c => !c.IsDestructive).ToList();
        var details = constructive.Count <= ListedChanges && plan.CsvPath is null
            ? string.Join(Environment.NewLine, constructive.Select(c => c.Description))
            : plan.Summary.ToString();
        if (constructive.Count > 0
            && !cmdlet.ShouldProcess(string.Create(CultureInfo.InvariantCulture, $"{title}: {constructive.Count} additions and updates.{Environment.NewLine}{details}"),
                $"{title}?{Environment.NewLine}{details}", caption))
        {
            return null;
        }

        var declined = new HashSet<int>();
        foreach (var change in plan.Changes.Where(c => c.IsDestructive))
        {
            var text = change.Description;
            if (!cmdlet.ShouldProcess(text, text + "?", caption))
            {
                declined.Add(change.Id);
            }
        }

        if (constructive.Count == 0 && declined.Count == plan.Changes.Count)
        {
            return null;
        }

        return declined;
    }
}
