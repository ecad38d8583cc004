using KolibriFacility.Core.Storage;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Logs;

/// <summary>
/// Channel names and content titles as Kolibri's export looks them up (INTEROP.md 2.3): the channel's metadata
/// name, and the title of the first content node with the content id in any channel; empty when not on the device.
/// Each id is looked up once and remembered, so memory grows with the content on the device, never with the rows.
/// </summary>
internal sealed class ContentLookup(KolibriDatabase database) : IDisposable
{
    private readonly Dictionary<string, string> channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> titles = new(StringComparer.Ordinal);
    private SqliteCommand? channelCommand;
    private SqliteCommand? titleCommand;

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
    }

    private SqliteCommand Prepare(string sql)
    {
        var command = database.Command(sql);
        command.Parameters.Add("$id", SqliteType.Text);
        return command;
    }

    private static string Lookup(SqliteCommand command, string id)
    {
        command.Parameters[0].Value = id;
        return command.ExecuteScalar() as string ?? "";
    }
}
