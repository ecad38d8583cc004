namespace KolibriFacility.Core.Model;

/// <summary>A classroom of a facility (kolibriauth_collection kind 'classroom').</summary>
public sealed class FacilityClass
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string FacilityId { get; init; }
    /// <summary>The facility's name (binds to -Facility by property name).</summary>
    public required string Facility { get; init; }
    public int LearnerCount { get; init; }
    public int CoachCount { get; init; }
    public string Database { get; init; } = "";

    public override string ToString() => Name;
}
