namespace KolibriFacility.Core.Storage;

/// <summary>The tables and columns of Kolibri 0.17's schema that the module relies on.</summary>
internal static class SchemaRequirements
{
    public static readonly IReadOnlyDictionary<string, string[]> Core = new Dictionary<string, string[]>
    {
        ["kolibriauth_facilitydataset"] = ["id", "_morango_dirty_bit", "_morango_source_id", "_morango_partition", "registered", "preset", "learner_can_login_with_no_password"],
        ["kolibriauth_collection"] = ["id", "_morango_dirty_bit", "_morango_source_id", "_morango_partition", "name", "kind", "dataset_id", "parent_id"],
        ["kolibriauth_facilityuser"] = ["id", "password", "last_login", "_morango_dirty_bit", "_morango_source_id", "_morango_partition", "username", "full_name", "date_joined", "dataset_id", "facility_id", "birth_year", "gender", "id_number", "extra_demographics"],
        ["kolibriauth_membership"] = ["id", "_morango_dirty_bit", "_morango_source_id", "_morango_partition", "collection_id", "dataset_id", "user_id"],
        ["kolibriauth_role"] = ["id", "_morango_dirty_bit", "_morango_source_id", "_morango_partition", "collection_id", "dataset_id", "user_id", "kind"],
        ["device_devicepermissions"] = ["user_id", "is_superuser", "can_manage_content"],
        ["device_devicesettings"] = ["id", "default_facility_id"],
    };
}
