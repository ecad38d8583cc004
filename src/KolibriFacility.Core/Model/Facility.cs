namespace KolibriFacility.Core.Model;

/// <summary>A Kolibri facility (kolibriauth_collection kind 'facility') with its dataset and counts.</summary>
public sealed class Facility
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string DatasetId { get; init; }
    /// <summary>True for the device's default facility (device_devicesettings.default_facility_id).</summary>
    public bool IsDefault { get; init; }
    public int UserCount { get; init; }
    public int ClassCount { get; init; }
    public string Preset { get; init; } = "";
    /// <summary>Registered with the Kolibri Data Portal (kolibriauth_facilitydataset.registered).</summary>
    public bool Registered { get; init; }
    /// <summary>The database the facility was read from.</summary>
    public string Database { get; init; } = "";

    public override string ToString() => Name;
}
