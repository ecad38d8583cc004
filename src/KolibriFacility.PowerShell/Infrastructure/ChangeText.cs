using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>The one-line text of a planned change for -WhatIf and -Confirm, with the fields of an update (never a password).</summary>
internal static class ChangeText
{
    public static string Describe(ImportChange change)
    {
        if (change.Action != ImportAction.Update || change.Fields.Count == 0)
        {
            return change.Description;
        }

        var fields = change.Fields.Select(f => f.OldValue is null && f.NewValue is null
            ? $"{f.Field} changes"
            : $"{f.Field} '{f.OldValue}' -> '{f.NewValue}'");
        return $"{change.Description}: {string.Join(", ", fields)}";
    }
}
