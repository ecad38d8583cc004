namespace KolibriFacility.Core.Import;

/// <summary>Why a plan may not be applied; a plan can be refused for several reasons at once.</summary>
[Flags]
public enum ImportRefusal
{
    None = 0,

    /// <summary>The CSV file itself cannot be used (encoding, header, structure).</summary>
    FileErrors = 1,

    /// <summary>Some rows are invalid and the plan does not skip invalid rows.</summary>
    RowErrors = 2,

    /// <summary>More user deletions than the plan's limit (MaxDeletions, or the default threshold).</summary>
    TooManyDeletions = 4,

    /// <summary>Classes to delete still have lessons or quizzes and the plan was not forced.</summary>
    ClassesWithLessons = 8,

    /// <summary>The CSV given to the applier is not the file the plan was made from.</summary>
    CsvChanged = 16,

    /// <summary>The CSV would delete users and looks cut short, and the admin did not state that it is complete.</summary>
    LooksTruncated = 32,
}
