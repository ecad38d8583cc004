using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Base of every KolibriFacility cmdlet: Ctrl+C as a cancellation token, and Core's exceptions turned into
/// terminating errors with stable ids by <see cref="CoreErrorTranslator"/>.
/// </summary>
public abstract class KolibriCmdlet : PSCmdlet, IDisposable
{
    private readonly CancellationTokenSource stopping = new();

    protected CancellationToken Cancellation => stopping.Token;

    /// <summary>True when the command only previews (-WhatIf, or $WhatIfPreference).</summary>
    protected bool IsWhatIf => WhatIfMode.IsOn(this);

    protected virtual void Begin()
    {
    }

    protected virtual void Process()
    {
    }

    /// <summary>EndProcessing's work (named Complete: End is a reserved word in some .NET languages, CA1716).</summary>
    protected virtual void Complete()
    {
    }

    protected sealed override void BeginProcessing() => Guard(Begin);

    protected sealed override void ProcessRecord() => Guard(Process);

    protected sealed override void EndProcessing() => Guard(Complete);

    protected override void StopProcessing() => stopping.Cancel();

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            stopping.Dispose();
        }
    }

    protected void WriteNotFound(string errorId, string message, object target) =>
        WriteError(new ErrorRecord(new ItemNotFoundException(message), errorId, ErrorCategory.ObjectNotFound, target));

    /// <summary>What errors of Core are about when they do not name it themselves (the CSV being imported, the facility being synced).</summary>
    protected object? ErrorContext { get; set; }

    /// <summary>Stops the command with a terminating error. Never returns: write <c>throw Terminate(...)</c> so the compiler knows.</summary>
    protected Exception Terminate(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction = null)
    {
        ThrowTerminatingError(CoreErrorTranslator.Record(exception, errorId, category, target, recommendedAction));
        return new System.Diagnostics.UnreachableException();
    }

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        catch (Exception ex) when (CoreErrorTranslator.Translate(ex, ErrorContext) is { } record)
        {
            ThrowTerminatingError(record);
        }
    }
}
