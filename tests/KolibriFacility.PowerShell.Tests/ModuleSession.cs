using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace KolibriFacility.Tests;

/// <summary>What one script run produced, stream by stream.</summary>
public sealed class ScriptResult
{
    public required List<PSObject> Output { get; init; }
    public required List<ErrorRecord> Errors { get; init; }
    public required List<string> Warnings { get; init; }
    public required List<string> Verbose { get; init; }
    public required List<ProgressRecord> Progress { get; init; }
    /// <summary>Host lines written during this run ("What if:" messages land here).</summary>
    public required List<string> HostLines { get; init; }
    /// <summary>A terminating error that ended the script, if any.</summary>
    public ErrorRecord? Terminating { get; init; }
    /// <summary>How the pipeline ended: Completed, Failed, or Stopped (Ctrl+C).</summary>
    public PSInvocationState State { get; init; }

    public IEnumerable<string> WhatIf => HostLines.Where(l => l.StartsWith("What if:", StringComparison.Ordinal));

    public IEnumerable<string> ErrorIds => Errors.Select(e => e.FullyQualifiedErrorId).Concat(Terminating is null ? [] : [Terminating.FullyQualifiedErrorId]);

    public T Property<T>(int index, string name) => (T)Output[index].Properties[name].Value;
}

/// <summary>
/// A runspace of the real PowerShell 7.6 engine with the built module imported from out/KolibriFacility by its psd1.
/// Scripts see $Db (when a database path is given) and any extra variables.
/// </summary>
public sealed class ModuleSession : IDisposable
{
    private readonly Runspace runspace;

    public ModuleSession()
    {
        Host = new TestHost();
        var state = InitialSessionState.CreateDefault2();
        runspace = RunspaceFactory.CreateRunspace(Host, state);
        runspace.Open();
        var import = Run($"Import-Module '{TestPaths.ModuleManifest.Replace("'", "''", StringComparison.Ordinal)}' -ErrorAction Stop");
        if (import.Terminating is not null || import.Errors.Count > 0)
        {
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", import.Errors.Select(e => e.ToString()).Append(import.Terminating?.ToString())));
        }
    }

    public TestHost Host { get; }

    public ScriptResult Run(string script, IDictionary<string, object?>? variables = null) =>
        Execute(script, variables, stopWhen: null, TimeSpan.Zero).Result;

    /// <summary>
    /// Starts a script, waits until <paramref name="stopWhen"/> is true (or the script ends, or the timeout passes),
    /// then stops it as Ctrl+C would and returns what it produced. Stopped is true when Stop() was needed.
    /// </summary>
    public (ScriptResult Result, bool Stopped) RunAndStop(string script, IDictionary<string, object?>? variables, Func<bool> stopWhen, TimeSpan timeout) =>
        Execute(script, variables, _ => stopWhen(), timeout);

    /// <summary>As above, with <paramref name="stopWhen"/> given the number of objects output so far.</summary>
    public (ScriptResult Result, bool Stopped) RunAndStop(string script, IDictionary<string, object?>? variables, Func<int, bool> stopWhen, TimeSpan timeout) =>
        Execute(script, variables, stopWhen, timeout);

    private (ScriptResult Result, bool Stopped) Execute(string script, IDictionary<string, object?>? variables, Func<int, bool>? stopWhen, TimeSpan timeout)
    {
        using var powershell = System.Management.Automation.PowerShell.Create();
        powershell.Runspace = runspace;
        foreach (var (name, value) in variables ?? new Dictionary<string, object?>())
        {
            runspace.SessionStateProxy.SetVariable(name, value);
        }

        var hostStart = Host.Lines.Count;
        var progressStart = Host.Progress.Count;
        powershell.AddScript(script);
        var output = new PSDataCollection<PSObject>();
        var stopped = false;
        ErrorRecord? terminating = null;
        try
        {
            if (stopWhen is null)
            {
                foreach (var item in powershell.Invoke())
                {
                    output.Add(item);
                }
            }
            else
            {
                stopped = InvokeUntil(powershell, output, stopWhen, timeout);
            }
        }
        catch (PipelineStoppedException) when (stopWhen is not null)
        {
            // Stopped without Stop(): the script stopped itself.
        }
        catch (RuntimeException ex)
        {
            terminating = ex.ErrorRecord;
        }

        return (new ScriptResult
        {
            Output = output.Where(o => o is not null).ToList(),
            Errors = powershell.Streams.Error.ToList(),
            Warnings = powershell.Streams.Warning.Select(w => w.Message).ToList(),
            Verbose = powershell.Streams.Verbose.Select(v => v.Message).ToList(),
            Progress = powershell.Streams.Progress.Concat(Host.Progress.Skip(progressStart)).ToList(),
            HostLines = Host.Lines.Skip(hostStart).ToList(),
            Terminating = terminating,
            State = powershell.InvocationStateInfo.State,
        }, stopped);
    }

    private static bool InvokeUntil(System.Management.Automation.PowerShell powershell, PSDataCollection<PSObject> output, Func<int, bool> stopWhen, TimeSpan timeout)
    {
        var pending = powershell.BeginInvoke<PSObject, PSObject>(null, output);
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!pending.IsCompleted && !stopWhen(output.Count) && waited.Elapsed < timeout)
        {
            Thread.Sleep(50);
        }

        var stopped = false;
        if (!pending.IsCompleted)
        {
            powershell.Stop();
            stopped = true;
        }

        try
        {
            powershell.EndInvoke(pending);
        }
        catch (PipelineStoppedException) when (stopped)
        {
        }

        return stopped;
    }

    public void Dispose() => runspace.Dispose();
}
