using System.Globalization;
using System.Text.Json;

namespace KolibriFacility.Core.Sandbox;

/// <summary>One content node of a sample channel (a topic or a resource).</summary>
internal sealed record SampleNode(
    string Id, string ContentId, string ChannelId, string? ParentId, string Title, string Kind, int Level, int Lft, int Rght, string Ancestors);

/// <summary>A sample channel: its metadata and its tree (root first).</summary>
internal sealed record SampleChannel(string Id, string Name, string Description, IReadOnlyList<SampleNode> Nodes)
{
    public IEnumerable<SampleNode> Resources => Nodes.Where(n => n.Kind != SampleContent.Topic);
}

/// <summary>
/// Two small channels as Kolibri imports them: channel id = root node id, topics below the root, resources of every
/// common kind below the topics, MPTT numbers and the ancestors JSON Kolibri stores.
/// </summary>
internal static class SampleContent
{
    public const string Topic = "topic";

    private static readonly (string Name, string Description, string[] Topics)[] Channels =
    [
        ("Sandbox Science", "Biology, chemistry and physics for primary and lower secondary.", ["Living things", "Materials", "Forces and energy"]),
        ("Numeracy, level 1", "Numbers, shapes and measures.", ["Counting", "Fractions", "=Shapes"]),
    ];

    private static readonly string[] ResourceKinds = ["video", "exercise", "document", "audio", "html5", "slideshow", "video", "exercise"];

    public static IReadOnlyList<SampleChannel> Create(Func<string> newId)
    {
        var channels = new List<SampleChannel>();
        foreach (var (name, description, topics) in Channels)
        {
            var rootId = newId();
            var nodes = new List<SampleNode>();
            var lft = 1;
            var root = new SampleNodeBuilder(rootId, rootId, rootId, null, name, Topic, 0, lft++, []);
            var topicBuilders = new List<SampleNodeBuilder>();
            foreach (var topic in topics)
            {
                var topicNode = new SampleNodeBuilder(newId(), newId(), rootId, rootId, topic, Topic, 1, lft++, [(rootId, name)]);
                topicBuilders.Add(topicNode);
                for (var i = 0; i < ResourceKinds.Length; i++)
                {
                    var kind = ResourceKinds[i];
                    var title = string.Create(CultureInfo.InvariantCulture, $"{topic} {kind} {i + 1}");
                    topicNode.Children.Add(new SampleNodeBuilder(newId(), newId(), rootId, topicNode.Id, title, kind, 2, lft++, [(rootId, name), (topicNode.Id, topic)]) { Rght = lft++ });
                }

                topicNode.Rght = lft++;
            }

            root.Rght = lft;
            nodes.Add(root.Build());
            foreach (var topic in topicBuilders)
            {
                nodes.Add(topic.Build());
                nodes.AddRange(topic.Children.Select(c => c.Build()));
            }

            channels.Add(new SampleChannel(rootId, name, description, nodes));
        }

        return channels;
    }

    private sealed class SampleNodeBuilder(string id, string contentId, string channelId, string? parentId, string title, string kind, int level, int lft, (string Id, string Title)[] ancestors)
    {
        public string Id => id;
        public int Rght { get; set; }
        public List<SampleNodeBuilder> Children { get; } = [];

        public SampleNode Build() => new(id, contentId, channelId, parentId, title, kind, level, lft, Rght,
            JsonSerializer.Serialize(ancestors.Select(a => new Dictionary<string, string> { ["id"] = a.Id, ["title"] = a.Title })));
    }
}
