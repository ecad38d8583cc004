using System.Management.Automation;
using System.Reflection;

namespace KolibriFacility.PowerShell.Loading;

/// <summary>
/// Makes every public type of KolibriFacility.Core nameable by its full name in scripts
/// (<c>[KolibriFacility.Core.Model.UserType]::LEARNER</c>, <c>-is [KolibriFacility.Core.Logs.SummaryLog]</c>, typed
/// <c>param()</c> blocks). Core lives in the module's private load context, where PowerShell's type-name lookup does
/// not search, so the names are registered as type accelerators on import and removed on Remove-Module.
/// PowerShell has no public API for accelerators; <c>System.Management.Automation.TypeAccelerators</c> is the
/// documented-by-practice way (PSToml and many binary modules use it). When it cannot be reached, the module still
/// works and the types stay unnameable, as before.
/// </summary>
internal static class CoreTypeAccelerators
{
    private static readonly Type? Accelerators =
        typeof(PSObject).Assembly.GetType("System.Management.Automation.TypeAccelerators");

    private static readonly List<string> Registered = new();

    public static void Register(Assembly core)
    {
        var add = Accelerators?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string), typeof(Type) });
        var existing = Accelerators?.GetProperty("Get", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
            as IDictionary<string, Type>;
        if (add is null || existing is null)
        {
            return;
        }

        lock (Registered)
        {
            foreach (var type in core.GetExportedTypes())
            {
                var name = type.FullName!.Replace('+', '.');
                // Never replace a name another module or PowerShell itself already owns.
                if (existing.ContainsKey(name))
                {
                    continue;
                }

                add.Invoke(null, new object[] { name, type });
                Registered.Add(name);
            }
        }
    }

    public static void Unregister()
    {
        var remove = Accelerators?.GetMethod("Remove", BindingFlags.Public | BindingFlags.Static, new[] { typeof(string) });
        if (remove is null)
        {
            return;
        }

        lock (Registered)
        {
            foreach (var name in Registered)
            {
                remove.Invoke(null, new object[] { name });
            }

            Registered.Clear();
        }
    }
}
