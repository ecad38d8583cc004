using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;

namespace KolibriFacility.Tests;

/// <summary>
/// A minimal PowerShell host for tests: records everything written to the host (that is where "What if:" text
/// goes) and answers confirmation prompts from a script of answers, recording each prompt.
/// </summary>
public sealed class TestHost : PSHost
{
    private readonly TestHostUserInterface ui = new();

    public override string Name => "KolibriFacilityTestHost";
    public override Version Version => new(1, 0);
    public override Guid InstanceId { get; } = Guid.NewGuid();
    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override PSHostUserInterface UI => ui;

    /// <summary>Lines written to the host, including "What if: ..." messages.</summary>
    public List<string> Lines => ui.Lines;

    /// <summary>Progress records written to the host (an engine with a host sends them here, not to Streams.Progress).</summary>
    public List<ProgressRecord> Progress => ui.Progress;

    /// <summary>Confirmation prompts shown (caption + message).</summary>
    public List<string> Prompts => ui.Prompts;

    /// <summary>Answers for the next prompts, by label ("Yes", "Yes to All", "No", "No to All"); default "Yes".</summary>
    public Queue<string> Answers => ui.Answers;

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class TestHostUserInterface : PSHostUserInterface
    {
        public List<string> Lines { get; } = [];
        public List<string> Prompts { get; } = [];
        public List<ProgressRecord> Progress { get; } = [];
        public Queue<string> Answers { get; } = new();
        public override PSHostRawUserInterface RawUI { get; } = new RawUi();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts.Add(caption + ": " + message);
            var answer = Answers.Count > 0 ? Answers.Dequeue() : "Yes";
            for (var i = 0; i < choices.Count; i++)
            {
                if (string.Equals(choices[i].Label.Replace("&", "", StringComparison.Ordinal), answer, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return defaultChoice;
        }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) =>
            throw new NotSupportedException("Tests do not answer free-text prompts: " + caption + " " + message);

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();
        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();
        public override string ReadLine() => "";
        public override SecureString ReadLineAsSecureString() => new();
        public override void Write(string value) => Lines.Add(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Lines.Add(value);
        public override void WriteLine(string value) => Lines.Add(value);
        public override void WriteErrorLine(string value) => Lines.Add(value);
        public override void WriteDebugLine(string message) { }
        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
            lock (Progress)
            {
                Progress.Add(Copy(record));
            }
        }

        // The engine reuses and mutates one record per activity; keep what was shown at the time.
        private static ProgressRecord Copy(ProgressRecord record) => new(record.ActivityId, record.Activity, record.StatusDescription)
        {
            CurrentOperation = record.CurrentOperation,
            PercentComplete = record.PercentComplete,
            RecordType = record.RecordType,
            ParentActivityId = record.ParentActivityId,
            SecondsRemaining = record.SecondsRemaining,
        };
        public override void WriteVerboseLine(string message) { }
        public override void WriteWarningLine(string message) { }
    }

    private sealed class RawUi : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; }
        public override Size BufferSize { get; set; } = new(200, 100);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override ConsoleColor ForegroundColor { get; set; }
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(200, 100);
        public override Size MaxWindowSize => new(200, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(200, 100);
        public override string WindowTitle { get; set; } = "";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => default;
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
