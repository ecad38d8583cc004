using System.Text;
using System.Xml;

namespace KolibriFacility.HelpGenerator;

/// <summary>Writes PowerShell's MAML help file (the format Get-Help reads for binary modules) for a set of cmdlets.</summary>
internal static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(IEnumerable<CommandHelp> commands, Stream output)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var xml = XmlWriter.Create(output, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("helpItems", Msh);
        xml.WriteAttributeString("schema", "maml");
        xml.WriteAttributeString("xmlns", "maml", null, Maml);
        xml.WriteAttributeString("xmlns", "command", null, Command);
        xml.WriteAttributeString("xmlns", "dev", null, Dev);
        foreach (var command in commands)
        {
            WriteCommand(xml, command);
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter xml, CommandHelp help)
    {
        var (meta, page) = (help.Metadata, help.Page);
        xml.WriteStartElement("command", "command", Command);
        xml.WriteStartElement("details", Command);
        xml.WriteElementString("name", Command, meta.Name);
        xml.WriteElementString("verb", Command, meta.Verb);
        xml.WriteElementString("noun", Command, meta.Noun);
        Description(xml, [page.Synopsis]);
        xml.WriteEndElement();
        Description(xml, page.Description);

        xml.WriteStartElement("syntax", Command);
        foreach (var set in meta.ParameterSets)
        {
            xml.WriteStartElement("syntaxItem", Command);
            xml.WriteElementString("name", Maml, meta.Name);
            foreach (var (parameter, entry) in SyntaxOrder(meta, set))
            {
                Parameter(xml, help, parameter, entry.Mandatory, entry.PositionText, entry.PipelineInput, inSyntax: true);
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();

        xml.WriteStartElement("parameters", Command);
        foreach (var documented in page.Parameters)
        {
            var parameter = meta.Parameters.First(p => string.Equals(p.Name, documented.Name, StringComparison.OrdinalIgnoreCase));
            Parameter(xml, help, parameter, parameter.Mandatory, parameter.Position, parameter.PipelineInput, inSyntax: false);
        }

        xml.WriteEndElement();

        Types(xml, "inputTypes", "inputType", page.Inputs);
        Types(xml, "returnValues", "returnValue", page.Outputs);
        if (page.Notes.Count > 0)
        {
            xml.WriteStartElement("alertSet", Maml);
            xml.WriteStartElement("alert", Maml);
            Paragraphs(xml, page.Notes);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteStartElement("examples", Command);
        foreach (var example in page.Examples)
        {
            xml.WriteStartElement("example", Command);
            // Get-Help prints titles as they are; the dashes are what separate one example from the next.
            xml.WriteElementString("title", Maml, $"---------- {example.Title} ----------");
            xml.WriteElementString("code", Dev, example.Code);
            xml.WriteStartElement("remarks", Dev);
            // The empty last paragraph is the blank line Get-Help needs between one example and the next title.
            Paragraphs(xml, example.Remarks.Append(""));
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();

        xml.WriteStartElement("relatedLinks", Command);
        // The first link with an address is where Get-Help -Online goes, as in platyPS's "Online Version:".
        var links = meta.HelpUri is null ? page.Links : page.Links.Prepend(new LinkHelp("Online Version:", meta.HelpUri));
        foreach (var link in links)
        {
            xml.WriteStartElement("navigationLink", Maml);
            xml.WriteElementString("linkText", Maml, link.Text);
            xml.WriteElementString("uri", Maml, link.Uri ?? "");
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    /// <summary>Positional parameters by position, then mandatory ones, then the rest, each group as declared.</summary>
    private static IEnumerable<(ParameterMetadata Parameter, ParameterSetEntry Entry)> SyntaxOrder(CommandMetadata meta, string set) =>
        meta.Parameters
            .Select(p => (Parameter: p, Entry: set == ParameterSetEntry.AllSets ? p.Sets[0] : p.In(set)))
            .Where(x => x.Entry is not null)
            .Select(x => (x.Parameter, Entry: x.Entry!))
            .OrderBy(x => x.Entry.Position ?? int.MaxValue)
            .ThenBy(x => x.Entry.Mandatory ? 0 : 1);

    private static void Parameter(XmlWriter xml, CommandHelp help, ParameterMetadata parameter, bool mandatory, string position, string pipelineInput, bool inSyntax)
    {
        var documented = help.Describe(parameter);
        xml.WriteStartElement("parameter", Command);
        xml.WriteAttributeString("required", Bool(mandatory));
        xml.WriteAttributeString("variableLength", Bool(parameter.Type.IsArray));
        xml.WriteAttributeString("globbing", Bool(parameter.SupportsWildcards));
        xml.WriteAttributeString("pipelineInput", pipelineInput);
        xml.WriteAttributeString("position", position);
        xml.WriteAttributeString("aliases", parameter.Aliases.Count == 0 ? "none" : string.Join(", ", parameter.Aliases));
        xml.WriteElementString("name", Maml, parameter.Name);
        Description(xml, documented.Description);
        if (parameter.AcceptedValues.Count > 0)
        {
            xml.WriteStartElement("parameterValueGroup", Command);
            foreach (var value in parameter.AcceptedValues)
            {
                ParameterValue(xml, value, required: false, variableLength: false);
            }

            xml.WriteEndElement();
        }

        // A switch has no value in the syntax ([-Force]); the parameters section names its type.
        if (!parameter.IsSwitch || !inSyntax)
        {
            ParameterValue(xml, parameter.Type.Short, required: !parameter.IsSwitch, parameter.Type.IsArray);
        }

        xml.WriteStartElement("type", Dev);
        xml.WriteElementString("name", Maml, parameter.Type.Full);
        xml.WriteElementString("uri", Maml, "");
        xml.WriteEndElement();
        xml.WriteElementString("defaultValue", Dev, documented.DefaultValue ?? (parameter.IsSwitch ? "False" : "None"));
        xml.WriteEndElement();
    }

    private static void ParameterValue(XmlWriter xml, string value, bool required, bool variableLength)
    {
        xml.WriteStartElement("parameterValue", Command);
        xml.WriteAttributeString("required", Bool(required));
        xml.WriteAttributeString("variableLength", Bool(variableLength));
        xml.WriteString(value);
        xml.WriteEndElement();
    }

    private static void Types(XmlWriter xml, string listElement, string element, IReadOnlyList<TypeHelp> types)
    {
        xml.WriteStartElement(listElement, Command);
        foreach (var type in types)
        {
            xml.WriteStartElement(element, Command);
            xml.WriteStartElement("type", Dev);
            xml.WriteElementString("name", Maml, type.Name);
            xml.WriteEndElement();
            Description(xml, type.Description);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void Description(XmlWriter xml, IEnumerable<string> paragraphs)
    {
        xml.WriteStartElement("description", Maml);
        Paragraphs(xml, paragraphs);
        xml.WriteEndElement();
    }

    private static void Paragraphs(XmlWriter xml, IEnumerable<string> paragraphs)
    {
        foreach (var paragraph in paragraphs)
        {
            xml.WriteElementString("para", Maml, paragraph);
        }
    }

    private static string Bool(bool value) => value ? "true" : "false";
}
