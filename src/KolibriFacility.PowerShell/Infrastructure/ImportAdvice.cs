using KolibriFacility.Core.Import;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>What the admin can do about a refused import, in the words of this module's parameters.</summary>
internal static class ImportAdvice
{
    public const string FixFile = "Fix the file and try again.";

    public const string FixOrSkipRows =
        "Fix the rows and try again, or use -SkipInvalidRows to import the valid rows and leave the users of invalid rows untouched.";

    public const string CheckDeletions =
        "Check the deletions with -WhatIf or Get-FacilityImportPlan; then use -NoDelete to keep those users, -MaxDeletions N, or -Force.";

    public const string ClassesWithLessons =
        "Use -Force to delete those classes with their lessons and quizzes, or leave out -RemoveUnreferencedClasses to only clear them.";

    public const string ConfirmComplete =
        "Compare the file with its source; if it is complete, run the import again with -FileIsComplete (-Force does not pass this check), or use -NoDelete to delete nobody.";

    public const string MakeNewPlan = "Make a new plan with Get-FacilityImportPlan (or import the CSV again with -Path) and review it.";

    public const string WaitForKolibri = "Try again when Kolibri is idle, stop Kolibri, or wait longer with -TimeoutSec.";

    /// <summary>The same for the user and class cmdlets, whose only way past a refusal is their -Force.</summary>
    public static string ForEdits(ImportRefusal refusal)
    {
        var advice = new List<string>();
        if (refusal.HasFlag(ImportRefusal.TooManyDeletions)) advice.Add("Check the deletions with -WhatIf; then use -Force to delete that many users at once.");
        if (refusal.HasFlag(ImportRefusal.ClassesWithLessons)) advice.Add("Use -Force to delete those classes with their lessons and quizzes.");
        if (refusal.HasFlag(ImportRefusal.CsvChanged)) advice.Add("Run the command again.");
        return string.Join(" ", advice);
    }

    public static string For(ImportRefusal refusal)
    {
        var advice = new List<string>();
        if (refusal.HasFlag(ImportRefusal.FileErrors)) advice.Add(FixFile);
        if (refusal.HasFlag(ImportRefusal.LooksTruncated)) advice.Add(ConfirmComplete);
        if (refusal.HasFlag(ImportRefusal.RowErrors)) advice.Add(FixOrSkipRows);
        if (refusal.HasFlag(ImportRefusal.TooManyDeletions)) advice.Add(CheckDeletions);
        if (refusal.HasFlag(ImportRefusal.ClassesWithLessons)) advice.Add(ClassesWithLessons);
        if (refusal.HasFlag(ImportRefusal.CsvChanged)) advice.Add(MakeNewPlan);
        return string.Join(" ", advice);
    }
}
