namespace KolibriFacility.Core.Import;

/// <summary>The plan may not be applied (errors without SkipInvalidRows, too many deletions, classes with lessons, a changed CSV); nothing was written.</summary>
public sealed class ImportRefusedException(ImportRefusal refusal, string reason) : Exception(reason)
{
    public ImportRefusal Refusal { get; } = refusal;

    public string Reason { get; } = reason;
}
