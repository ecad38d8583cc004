using System.Globalization;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Packaging;

/// <summary>
/// The ReadyToRun images the build puts in dependencies/r2r/net&lt;major&gt;.0/&lt;rid&gt; (ReadyToRun.targets): loaded
/// in their place and their precompiled code used; and where there are none (another .NET or platform, simulated
/// by a copy of the module without them) the IL, with the same results.
/// </summary>
public sealed class ReadyToRunTests : IDisposable
{
    private readonly TempFolder folder = new();

    private static string ImageFolder => Path.Combine(ModuleHostProcess.ModuleFolder, "dependencies", "r2r",
        string.Create(CultureInfo.InvariantCulture, $"net{Environment.Version.Major}.0"), BuiltModuleLoading.Rid);

    public void Dispose() => folder.Dispose();

    [Fact]
    public void The_build_made_images_for_this_platform_and_the_module_runs_them_with_far_less_jit_than_the_il()
    {
        Assert.True(File.Exists(Path.Combine(ImageFolder, "KolibriFacility.Core.dll")), $"no ReadyToRun image in {ImageFolder}");
        var withImages = CountUsersAndJit(ModuleHostProcess.ModuleFolder);

        var ilOnly = Path.Combine(folder.Path, "KolibriFacility");
        BuiltModuleLoading.CopyFolder(ModuleHostProcess.ModuleFolder, ilOnly);
        Directory.Delete(Path.Combine(ilOnly, "dependencies", "r2r"), recursive: true);
        var withIl = CountUsersAndJit(ilOnly);

        Assert.Equal(Path.Combine(ImageFolder, "KolibriFacility.Core.dll"), withImages.CoreLocation);
        Assert.Equal(Path.Combine(ilOnly, "dependencies", "KolibriFacility.Core.dll"), withIl.CoreLocation);
        Assert.Equal(withIl.Users, withImages.Users);
        // Methods compiled on the calling thread by the first Get-FacilityUser: the images spare Core's, SQLite's and
        // their dependencies' (about 250 here); PowerShell's own share is the same in both.
        Assert.True(withImages.Jitted + 100 < withIl.Jitted, $"JIT-compiled methods: {withImages.Jitted} with the images, {withIl.Jitted} with the IL");
    }

    private (int Users, string CoreLocation, long Jitted) CountUsersAndJit(string moduleFolder)
    {
        var db = folder.CopyFixtureDatabase("db-" + Guid.NewGuid().ToString("N")[..6] + ".sqlite3");
        var run = ModuleHostProcess.Run($$"""
            Import-Module {{ModuleHostProcess.Quote(Path.Combine(moduleFolder, "KolibriFacility.psd1"))}}
            $before = [System.Runtime.JitInfo]::GetCompiledMethodCount($true)
            $users = @(Get-FacilityUser -Database {{ModuleHostProcess.Quote(db)}}).Count
            $jitted = [System.Runtime.JitInfo]::GetCompiledMethodCount($true) - $before
            'users ' + $users
            'jitted ' + $jitted
            'core ' + ([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'KolibriFacility').Assemblies.Where({ $_.GetName().Name -eq 'KolibriFacility.Core' }).Location
            """, folder.Path);
        Assert.True(run.ExitCode == 0, run.ToString());
        string Value(string key) => run.Output.Single(l => l.StartsWith(key + " ", StringComparison.Ordinal))[(key.Length + 1)..];
        return (int.Parse(Value("users"), CultureInfo.InvariantCulture), Value("core"), long.Parse(Value("jitted"), CultureInfo.InvariantCulture));
    }
}
