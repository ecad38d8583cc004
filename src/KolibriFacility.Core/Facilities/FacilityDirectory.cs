using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using System.Data.Common;

namespace KolibriFacility.Core.Facilities;

/// <summary>Reads facilities and classes of a Kolibri database and chooses the facility a command works on.</summary>
public sealed class FacilityDirectory(KolibriDatabase database)
{
    public IEnumerable<Facility> GetFacilities()
    {
        using var command = database.Command($"""
            SELECT f.id, f.name, f.dataset_id, d.preset, d.registered,
                   (SELECT COUNT(*) FROM kolibriauth_facilityuser u WHERE u.facility_id = f.id) AS users,
                   (SELECT COUNT(*) FROM kolibriauth_collection c WHERE c.parent_id = f.id AND c.kind = 'classroom') AS classes,
                   f.id = (SELECT default_facility_id FROM device_devicesettings ORDER BY id LIMIT 1) AS is_default
            FROM kolibriauth_collection f
            LEFT JOIN kolibriauth_facilitydataset d ON d.id = f.dataset_id
            WHERE f.kind = 'facility'
            ORDER BY {database.Dialect.RowOrder("f")}
            """);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new Facility
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                DatasetId = reader.GetString(2),
                Preset = reader.IsDBNull(3) ? "" : reader.GetString(3),
                Registered = !reader.IsDBNull(4) && reader.GetBoolean(4),
                UserCount = reader.GetInt32(5),
                ClassCount = reader.GetInt32(6),
                IsDefault = !reader.IsDBNull(7) && reader.GetBoolean(7),
                Database = database.Path,
            };
        }
    }

    /// <summary>
    /// The facility named (by name, case-insensitively, or by id), or the device's default facility when none is
    /// named; with no default, the only facility there is.
    /// </summary>
    public Facility Resolve(string? nameOrId)
    {
        var facilities = GetFacilities().ToList();
        if (facilities.Count == 0)
        {
            throw new FacilitySelectionException(FacilitySelectionProblem.NoFacility, nameOrId,
                $"The database '{database.Path}' has no facility yet. Set up Kolibri (or create a sandbox database) first.");
        }

        if (string.IsNullOrWhiteSpace(nameOrId))
        {
            var chosen = facilities.FirstOrDefault(f => f.IsDefault) ?? (facilities.Count == 1 ? facilities[0] : null);
            return chosen ?? throw new FacilitySelectionException(FacilitySelectionProblem.NoDefault, null,
                $"The device has no default facility and the database holds {facilities.Count}; choose one of them: {Describe(facilities)}.");
        }

        var byId = facilities.FirstOrDefault(f => string.Equals(f.Id, nameOrId.Trim(), StringComparison.OrdinalIgnoreCase));
        if (byId is not null)
        {
            return byId;
        }

        var byName = facilities.Where(f => string.Equals(f.Name, nameOrId.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        return byName.Count switch
        {
            1 => byName[0],
            0 => throw new FacilitySelectionException(FacilitySelectionProblem.NotFound, nameOrId,
                $"No facility named or with id '{nameOrId}' in '{database.Path}'. Facilities: {Describe(facilities)}."),
            _ => throw new FacilitySelectionException(FacilitySelectionProblem.Ambiguous, nameOrId,
                $"{byName.Count} facilities are named '{nameOrId}'; pass the id instead: {Describe(byName)}."),
        };
    }

    public IEnumerable<FacilityClass> GetClasses(Facility facility)
    {
        using var command = database.Command($"""
            SELECT c.id, c.name,
                   (SELECT COUNT(*) FROM kolibriauth_membership m WHERE m.collection_id = c.id) AS learners,
                   (SELECT COUNT(*) FROM kolibriauth_role r WHERE r.collection_id = c.id AND r.kind = 'coach') AS coaches
            FROM kolibriauth_collection c
            WHERE c.parent_id = $facility AND c.kind = 'classroom'
            ORDER BY {database.Dialect.NoCase("c.name")}, c.id
            """);
        command.Parameters.AddWithValue("$facility", facility.Id);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new FacilityClass
            {
                Id = reader.GetString(0),
                Name = reader.GetString(1),
                FacilityId = facility.Id,
                Facility = facility.Name,
                LearnerCount = reader.GetInt32(2),
                CoachCount = reader.GetInt32(3),
                Database = database.Path,
            };
        }
    }

    private static string Describe(IEnumerable<Facility> facilities) =>
        string.Join(", ", facilities.Select(f => $"'{f.Name}' ({f.Id})"));
}
