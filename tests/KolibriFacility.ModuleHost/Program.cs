using System.Management.Automation;
using System.Management.Automation.Runspaces;

// Usage: KolibriFacility.ModuleHost <script.ps1> [preload.dll ...]
// Loads the given assemblies into the default load context first (to simulate another module's
// Microsoft.Data.Sqlite), then runs the script in a fresh runspace. Output objects are printed one per line,
// errors go to stderr as "ERROR <FullyQualifiedErrorId>: <message>", and the exit code is the number of errors.
if (args.Length < 1)
{
    Console.Error.WriteLine("usage: KolibriFacility.ModuleHost <script.ps1> [preload.dll ...]");
    return 64;
}

foreach (var preload in args.Skip(1))
{
    var assembly = System.Reflection.Assembly.LoadFrom(preload);
    Console.Error.WriteLine($"preloaded {assembly.FullName}");
}

using var powershell = PowerShell.Create(InitialSessionState.CreateDefault2());
powershell.AddScript(File.ReadAllText(args[0]));
var errors = 0;
try
{
    foreach (var item in powershell.Invoke())
    {
        Console.WriteLine(item?.ToString() ?? "");
    }
}
catch (RuntimeException ex)
{
    Console.Error.WriteLine($"ERROR {ex.ErrorRecord.FullyQualifiedErrorId}: {ex.Message}");
    errors++;
}

foreach (var error in powershell.Streams.Error)
{
    Console.Error.WriteLine($"ERROR {error.FullyQualifiedErrorId}: {error}");
    errors++;
}

return Math.Min(errors, 100);
