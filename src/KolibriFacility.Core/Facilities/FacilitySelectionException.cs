namespace KolibriFacility.Core.Facilities;

public enum FacilitySelectionProblem
{
    NotFound,
    Ambiguous,
    NoDefault,
    NoFacility,
}

/// <summary>The facility to work on could not be chosen; the message lists the facilities there are.</summary>
public sealed class FacilitySelectionException(FacilitySelectionProblem problem, string? requested, string message) : Exception(message)
{
    public FacilitySelectionProblem Problem { get; } = problem;

    public string? Requested { get; } = requested;
}
