using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace KolibriFacility.PowerShell.Loading;

/// <summary>
/// Runs when PowerShell imports the module: routes KolibriFacility.Core (and through it every third-party
/// dependency) into the module's private load context. Only Core's own name is redirected; everything Core
/// references then resolves inside that context. Core's public types are then registered by their full names
/// (<see cref="CoreTypeAccelerators"/>) so scripts can name them.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private const string CoreAssemblyName = "KolibriFacility.Core";
    private static readonly object Gate = new();
    private static ModuleLoadContext? loadContext;
    private static bool registered;

    public void OnImport()
    {
        Register();
        CoreTypeAccelerators.Register(AssemblyLoadContext.Default.LoadFromAssemblyName(new AssemblyName(CoreAssemblyName)));
    }

    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        // Core stays loaded once used (assemblies cannot be unloaded from a non-collectible context);
        // keeping the handler lets a later Import-Module reuse the same context. Its type names go with the module.
        CoreTypeAccelerators.Unregister();
    }

    internal static void Register()
    {
        lock (Gate)
        {
            if (registered)
            {
                return;
            }

            var moduleFolder = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
            var dependencies = Path.Combine(moduleFolder, "dependencies");
            if (Directory.Exists(dependencies))
            {
                loadContext = new ModuleLoadContext(dependencies);
                AssemblyLoadContext.Default.Resolving += ResolveCore;
            }

            registered = true;
        }
    }

    private static Assembly? ResolveCore(AssemblyLoadContext context, AssemblyName name) =>
        string.Equals(name.Name, CoreAssemblyName, StringComparison.Ordinal) && loadContext is not null
            ? loadContext.LoadFromAssemblyName(name)
            : null;
}
