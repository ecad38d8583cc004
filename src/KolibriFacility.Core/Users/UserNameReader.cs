using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;

namespace KolibriFacility.Core.Users;

/// <summary>A user's id and username, for resolving -User style filters without reading whole users.</summary>
public readonly record struct UserName(string Id, string Username);

/// <summary>Reads the ids and usernames of a facility's users in database order (one small query: cheap enough for Tab completion on large facilities).</summary>
public sealed class UserNameReader(KolibriDatabase database)
{
    public IEnumerable<UserName> Read(Facility facility)
    {
        using var command = database.Command("SELECT u.id, u.username FROM kolibriauth_facilityuser u WHERE u.facility_id = $facility ORDER BY " + database.Dialect.RowOrder("u"));
        command.Parameters.AddWithValue("$facility", facility.Id);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new UserName(reader.GetString(0), reader.GetString(1));
        }
    }
}
