using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace KolibriFacility.PowerShell.Loading;

/// <summary>
/// The module's private AssemblyLoadContext. KolibriFacility.Core and everything it references
/// (Microsoft.Data.Sqlite, SQLitePCLRaw, CsvHelper, Npgsql) load here from the module's dependencies/ folder, so another
/// module's Microsoft.Data.Sqlite in the session can neither break nor be broken by ours. The native e_sqlite3 is
/// resolved from dependencies/runtimes/&lt;rid&gt;/native for the current OS and architecture. Where the build made
/// ReadyToRun images for this .NET and platform (dependencies/r2r/net&lt;major&gt;.0/&lt;rid&gt;) they are loaded instead of the IL.
/// </summary>
internal sealed class ModuleLoadContext : AssemblyLoadContext
{
    private const string NativeSqlite = "e_sqlite3";
    private readonly string dependencyFolder;
    private string? readyToRunFolder;
    private readonly object nativeLock = new();
    private IntPtr nativeSqliteHandle;

    public ModuleLoadContext(string dependencyFolder)
        : base("KolibriFacility", isCollectible: false)
    {
        this.dependencyFolder = dependencyFolder;
    }

    public string DependencyFolder => dependencyFolder;

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The precompiled image where the build made one for this .NET major version and platform (ReadyToRun.targets),
        // else the IL. Anything not shipped in dependencies/ (the framework, System.Management.Automation) comes from
        // the default context.
        var fileName = assemblyName.Name + ".dll";
        // Worked out at the first load, not at Import-Module (finding the RID may list /lib); racing threads get the same answer.
        readyToRunFolder ??= Path.Combine(dependencyFolder, "r2r", $"net{Environment.Version.Major}.0", NativeLibraryProbe.Rids()[0]);
        var image = Path.Combine(readyToRunFolder, fileName);
        if (File.Exists(image))
        {
            return LoadFromAssemblyPath(image);
        }

        var candidate = Path.Combine(dependencyFolder, fileName);
        return File.Exists(candidate) ? LoadFromAssemblyPath(candidate) : null;
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        if (!string.Equals(Path.GetFileNameWithoutExtension(unmanagedDllName), NativeSqlite, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(unmanagedDllName, "lib" + NativeSqlite, StringComparison.OrdinalIgnoreCase))
        {
            return IntPtr.Zero;
        }

        lock (nativeLock)
        {
            if (nativeSqliteHandle == IntPtr.Zero)
            {
                nativeSqliteHandle = LoadNativeSqlite();
            }

            return nativeSqliteHandle;
        }
    }

    private IntPtr LoadNativeSqlite()
    {
        var probed = new List<string>();
        foreach (var path in NativeLibraryProbe.Candidates(dependencyFolder, NativeSqlite))
        {
            probed.Add(path);
            if (File.Exists(path) && NativeLibrary.TryLoad(path, out var handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"KolibriFacility could not load the native SQLite library for {RuntimeInformation.RuntimeIdentifier} " +
            $"({RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}). Paths probed: {string.Join("; ", probed)}. " +
            "Rebuild the module with `dotnet build` or reinstall it; supported platforms are win-x64, win-arm64, linux-x64, linux-arm64, linux-musl-x64, osx-x64 and osx-arm64.");
    }
}
