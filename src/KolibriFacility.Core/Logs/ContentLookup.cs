using KolibriFacility.Core.Storage;
using System.Data.Common;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// User and facility names, channel names and content titles as Kolibri's export looks them up (docs/Kolibri.md, Log values): the channel's metadata
/// name, and the title of the first content node with the content id in any channel; empty when not on the device.
/// Each id is looked up once and remembered, so memory grows with the content on the device, never with the rows.
/// </summary>
internal sealed class ContentLookup(KolibriDatabase database) : IDisposable
{
    private readonly Dictionary<string, string> channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> titles = new(StringComparer.Ordinal);
    private DbCommand? channelCommand;
    private DbCommand? titleCommand;
    private readonly Dictionary<string, (string Username, string Facility)> users = new(StringComparer.Ordinal);
    private DbCommand? userCommand;
    private bool allUsersLoaded;

    /// <summary>
    /// The user's username and facility name, as Kolibri's outer joins give them (empty when the user is unknown).
    /// Looked up per user, not joined per row: a log export touches few users many times. On PostgreSQL every user is
    /// read in one query at the first call instead: there a lookup is a network round trip (18,309 of them took
    /// 2.4-2.9 s of a 20,000-user export, bench pg-vs-sqlite), and the whole table one query of some 15 ms.
    /// </summary>
    public (string Username, string Facility) User(string? userId)
    {
        if (userId is null)
        {
            return ("", "");
        }

        if (database.Engine == DatabaseEngine.PostgreSql)
        {
            LoadAllUsers();
            return users.GetValueOrDefault(userId, ("", ""));
        }

        if (!users.TryGetValue(userId, out var user))
        {
            userCommand ??= Prepare("""
                SELECT u.username, f.name FROM kolibriauth_facilityuser u
                LEFT JOIN kolibriauth_collection f ON f.id = u.facility_id WHERE u.id = $id
                """);
            userCommand.Parameters[0].Value = userId;
            using var reader = userCommand.ExecuteReader();
            user = reader.Read() ? (reader.IsDBNull(0) ? "" : reader.GetString(0), reader.IsDBNull(1) ? "" : reader.GetString(1)) : ("", "");
            users[userId] = user;
        }

        return user;
    }

    private void LoadAllUsers()
    {
        if (allUsersLoaded)
        {
            return;
        }

        using var command = database.LookupCommand("""
            SELECT u.id, u.username, f.name FROM kolibriauth_facilityuser u
            LEFT JOIN kolibriauth_collection f ON f.id = u.facility_id
            """);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            users[reader.GetString(0)] = (reader.IsDBNull(1) ? "" : reader.GetString(1), reader.IsDBNull(2) ? "" : reader.GetString(2));
        }

        allUsersLoaded = true;
    }

    public string ChannelName(string channelId)
    {
        if (channelId.Length == 0)
        {
            return "";
        }

        if (!channels.TryGetValue(channelId, out var name))
        {
            channelCommand ??= Prepare("SELECT name FROM content_channelmetadata WHERE id = $id");
            name = Lookup(channelCommand, channelId);
            channels[channelId] = name;
        }

        return name;
    }

    public string ContentTitle(string contentId)
    {
        if (!titles.TryGetValue(contentId, out var title))
        {
            // Django's .first() on an unordered queryset orders by primary key.
            titleCommand ??= Prepare("SELECT title FROM content_contentnode WHERE content_id = $id ORDER BY id LIMIT 1");
            title = Lookup(titleCommand, contentId);
            titles[contentId] = title;
        }

        return title;
    }

    public void Dispose()
    {
        channelCommand?.Dispose();
        titleCommand?.Dispose();
        userCommand?.Dispose();
    }

    private DbCommand Prepare(string sql)
    {
        var command = database.LookupCommand(sql);
        command.AddText("$id");
        return command;
    }

    private static string Lookup(DbCommand command, string id)
    {
        command.Parameters[0].Value = id;
        return command.ExecuteScalar() as string ?? "";
    }
}
