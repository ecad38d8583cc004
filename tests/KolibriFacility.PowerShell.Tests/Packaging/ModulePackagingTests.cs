using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KolibriFacility.Tests;

namespace KolibriFacility.PowerShell.Tests.Packaging;

/// <summary>The built module folder (out/KolibriFacility), imported in a separate bare PowerShell host process.</summary>
public sealed partial class ModulePackagingTests : IDisposable
{
    private static readonly string[] Rids = ["win-x64", "win-arm64", "linux-x64", "linux-arm64", "linux-musl-x64", "osx-x64", "osx-arm64"];
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static string Manifest => TestPaths.ModuleManifest;

    private static string ManifestText => File.ReadAllText(Manifest);

    private static List<string> ManifestCmdlets()
    {
        var block = CmdletsToExport().Match(ManifestText);
        Assert.True(block.Success, "CmdletsToExport = @( ... ) not found in the psd1");
        return QuotedName().Matches(block.Groups[1].Value).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
    }

    [Fact]
    public void The_dlls_cmdlets_are_exactly_the_manifests_CmdletsToExport_and_Get_Command_lists_them()
    {
        var run = ModuleHostProcess.Run($$"""
            Import-Module {{ModuleHostProcess.Quote(Manifest)}}
            $module = Get-Module KolibriFacility
            $module.ImplementingAssembly.GetExportedTypes() | ForEach-Object {
                $attribute = [System.Attribute]::GetCustomAttribute($_, [System.Management.Automation.CmdletAttribute])
                if ($attribute) { 'dll ' + $attribute.VerbName + '-' + $attribute.NounName }
            }
            Get-Command -Module KolibriFacility | ForEach-Object { 'command ' + $_.Name + ' ' + $_.CommandType }
            """, folder.Path);
        Assert.True(run.ExitCode == 0, run.ToString());
        var inDll = run.Output.Where(l => l.StartsWith("dll ", StringComparison.Ordinal)).Select(l => l[4..]).Order(StringComparer.Ordinal).ToList();
        var listed = run.Output.Where(l => l.StartsWith("command ", StringComparison.Ordinal)).Select(l => l[8..]).ToList();
        var manifest = ManifestCmdlets();

        // Cmdlets, and the two singular aliases of the card's plural names (issue 12.6).
        var commands = listed.Where(c => c.EndsWith(" Cmdlet", StringComparison.Ordinal)).ToList();
        Assert.Equal(["Export-FacilityUser Alias", "Import-FacilityUser Alias"], listed.Except(commands).Order(StringComparer.Ordinal));
        Assert.Equal(inDll.Intersect(manifest).Order(StringComparer.Ordinal), commands.Select(c => c.Split(' ')[0]).Order(StringComparer.Ordinal));
        // Exact: every cmdlet the dll has is exported explicitly, and the manifest names no cmdlet the dll lacks.
        Assert.Empty(manifest.Except(inDll, StringComparer.Ordinal)); // listed in the psd1, missing from the dll
        Assert.Empty(inDll.Except(manifest, StringComparer.Ordinal)); // in the dll, not exported by the psd1
        Assert.Equal(manifest, inDll);
    }

    [Fact]
    public void The_module_queries_a_real_database_through_the_native_sqlite_shipped_in_its_folder()
    {
        var db = folder.CopyFixtureDatabase();
        var run = ModuleHostProcess.Run($$"""
            Import-Module {{ModuleHostProcess.Quote(Manifest)}}
            $db = {{ModuleHostProcess.Quote(db)}}
            'facility ' + (Get-Facility -Database $db).Name
            'users ' + @(Get-FacilityUser -Database $db).Count
            'classes ' + @(Get-FacilityClass -Database $db).Count
            Export-FacilityUsers -Database $db -Path ./users.csv
            $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -eq 'KolibriFacility'
            $context.Assemblies | ForEach-Object { 'private ' + $_.GetName().Name + ' ' + $_.GetName().Version }
            [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies | ForEach-Object { 'default ' + $_.GetName().Name }
            if ($IsLinux) { [System.IO.File]::ReadAllLines('/proc/self/maps') | Where-Object { $_ -like '*libe_sqlite3*' } | ForEach-Object { 'native ' + $_.Substring($_.IndexOf('/')) } }
            """, folder.Path);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("facility Demo Facility", run.Output);
        Assert.Contains("users 51", run.Output);
        Assert.Contains("classes 5", run.Output);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("users-export.csv")), File.ReadAllBytes(folder.File("users.csv")));

        Assert.Contains(run.Output, l => l.StartsWith("private KolibriFacility.Core ", StringComparison.Ordinal));
        Assert.Contains(run.Output, l => l.StartsWith("private Microsoft.Data.Sqlite 10.", StringComparison.Ordinal));
        Assert.Contains(run.Output, l => l.StartsWith("private SQLitePCLRaw.core ", StringComparison.Ordinal));
        Assert.Contains(run.Output, l => l.StartsWith("private CsvHelper ", StringComparison.Ordinal));
        Assert.DoesNotContain("default CsvHelper", run.Output);
        Assert.DoesNotContain("default SQLitePCLRaw.core", run.Output);
        Assert.DoesNotContain("default Microsoft.Data.Sqlite", run.Output);
        Assert.DoesNotContain("default KolibriFacility.Core", run.Output);
        Assert.Contains("default KolibriFacility.PowerShell", run.Output);
        if (OperatingSystem.IsLinux())
        {
            var native = run.Output.Where(l => l.StartsWith("native ", StringComparison.Ordinal)).Select(l => l[7..]).Distinct().ToList();
            var expected = Path.Combine(ModuleHostProcess.ModuleFolder, "dependencies", "runtimes", BuiltModuleLoading.Rid, "native", "libe_sqlite3.so");
            Assert.Equal([expected], native);
        }
    }

    [Fact]
    public void The_module_imports_and_works_after_another_Microsoft_Data_Sqlite_was_loaded_first()
    {
        var other = Path.Combine(folder.Path, "other-module");
        Directory.CreateDirectory(other);
        var otherSqlite = Path.Combine(other, "Microsoft.Data.Sqlite.dll");
        File.Copy(ModuleHostProcess.OtherSqliteAssembly, otherSqlite);
        var otherVersion = AssemblyName.GetAssemblyName(otherSqlite).Version!;
        Assert.Equal(9, otherVersion.Major);

        var db = folder.CopyFixtureDatabase();
        var run = ModuleHostProcess.Run($$"""
            Import-Module {{ModuleHostProcess.Quote(Manifest)}}
            $db = {{ModuleHostProcess.Quote(db)}}
            'users ' + @(Get-FacilityUser -Database $db).Count
            Export-FacilityUsers -Database $db -Path ./users.csv
            [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' } | ForEach-Object {
                'sqlite ' + $_.GetName().Version + ' ' + [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name
            }
            """, folder.Path, otherSqlite);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("preloaded Microsoft.Data.Sqlite, Version=" + otherVersion, run.Errors);
        Assert.Contains("users 51", run.Output);
        Assert.Equal(File.ReadAllBytes(TestPaths.Fixture("users-export.csv")), File.ReadAllBytes(folder.File("users.csv")));
        var loaded = run.Output.Where(l => l.StartsWith("sqlite ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, loaded.Count);
        Assert.Contains(loaded, l => l.StartsWith($"sqlite {otherVersion} Default", StringComparison.Ordinal));
        Assert.Contains(loaded, l => l.StartsWith("sqlite 10.", StringComparison.Ordinal) && l.EndsWith(" KolibriFacility", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_native_library_is_one_error_naming_every_path_probed()
    {
        var copy = Path.Combine(folder.Path, "KolibriFacility");
        BuiltModuleLoading.CopyFolder(ModuleHostProcess.ModuleFolder, copy);
        Directory.Delete(Path.Combine(copy, "dependencies", "runtimes"), recursive: true);
        var db = folder.CopyFixtureDatabase();

        var run = ModuleHostProcess.Run($$"""
            Import-Module {{ModuleHostProcess.Quote(Path.Combine(copy, "KolibriFacility.psd1"))}}
            Get-Facility -Database {{ModuleHostProcess.Quote(db)}}
            """, folder.Path);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("ERROR NativeSqliteNotLoaded,KolibriFacility.PowerShell.Commands.GetFacilityCommand", run.Errors);
        Assert.Contains("Paths probed:", run.Errors);
        foreach (var candidate in BuiltModuleLoading.NativeCandidates(Path.Combine(copy, "dependencies")))
        {
            Assert.Contains(candidate, run.Errors);
        }

        Assert.Contains(RuntimeInformation.RuntimeIdentifier, run.Errors);
    }

    [Fact]
    public void NativeLibraryProbe_tries_the_platforms_runtime_folder_first_then_the_dependency_folder()
    {
        var candidates = BuiltModuleLoading.NativeCandidates("/m/dependencies");
        var arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        Assert.EndsWith("-" + arch, BuiltModuleLoading.Rid, StringComparison.Ordinal);
        Assert.StartsWith(OperatingSystem.IsWindows() ? "win-" : OperatingSystem.IsMacOS() ? "osx-" : "linux-", BuiltModuleLoading.Rid, StringComparison.Ordinal);
        Assert.Equal(Path.Combine("/m/dependencies", "runtimes", BuiltModuleLoading.Rid, "native", NativeFileName()), candidates[0]);
        Assert.Equal(Path.Combine("/m/dependencies", NativeFileName()), candidates[^1]);
        Assert.All(candidates[..^1], c => Assert.Contains(Path.Combine("runtimes", ""), c));
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(3, candidates.Length); // glibc and musl folders of this architecture, then the folder itself
        }
    }

    [Fact]
    public void The_module_folder_has_the_manifest_dlls_native_libraries_formats_and_help()
    {
        var root = ModuleHostProcess.ModuleFolder;
        Assert.True(File.Exists(Path.Combine(root, "KolibriFacility.psd1")));
        Assert.True(File.Exists(Path.Combine(root, "KolibriFacility.PowerShell.dll")));
        // Only the cmdlet assembly sits beside the manifest; everything else loads privately from dependencies/.
        Assert.Equal(["KolibriFacility.PowerShell.dll"], Directory.GetFiles(root, "*.dll").Select(Path.GetFileName));
        var dependencies = Path.Combine(root, "dependencies");
        foreach (var dll in new[] { "KolibriFacility.Core.dll", "Microsoft.Data.Sqlite.dll", "SQLitePCLRaw.core.dll", "SQLitePCLRaw.provider.e_sqlite3.dll", "SQLitePCLRaw.batteries_v2.dll", "CsvHelper.dll", "Npgsql.dll" })
        {
            Assert.True(File.Exists(Path.Combine(dependencies, dll)), "missing dependencies/" + dll);
        }

        Assert.Equal(10, AssemblyName.GetAssemblyName(Path.Combine(dependencies, "Microsoft.Data.Sqlite.dll")).Version!.Major);
        Assert.False(File.Exists(Path.Combine(dependencies, "System.Management.Automation.dll")));

        foreach (var rid in Rids)
        {
            var file = rid.StartsWith("win", StringComparison.Ordinal) ? "e_sqlite3.dll" : rid.StartsWith("osx", StringComparison.Ordinal) ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
            var native = Path.Combine(dependencies, "runtimes", rid, "native", file);
            Assert.True(File.Exists(native) && new FileInfo(native).Length > 100_000, "missing or empty " + native);
        }

        foreach (var listed in ListedFiles("FormatsToProcess").Concat(ListedFiles("TypesToProcess")))
        {
            var path = Path.Combine(root, listed);
            Assert.True(File.Exists(path), "missing " + listed);
            Assert.NotNull(XDocument.Load(path).Root);
        }

        var format = XDocument.Load(Path.Combine(root, "KolibriFacility.Format.ps1xml"));
        var tables = format.Descendants("View").Where(v => v.Element("TableControl") is not null).Select(v => v.Element("ViewSelectedBy")!.Element("TypeName")!.Value).ToList();
        Assert.Contains("KolibriFacility.Core.Model.Facility", tables);
        Assert.Contains("KolibriFacility.Core.Model.FacilityUser", tables);
        Assert.Contains("KolibriFacility.Core.Model.FacilityClass", tables);

        var help = XDocument.Load(Path.Combine(root, "en-US", "KolibriFacility.PowerShell.dll-Help.xml"));
        XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
        var documented = help.Root!.Elements(command + "command").Select(c => c.Element(command + "details")!.Element(command + "name")!.Value.Trim()).ToList();
        // One command per page of docs/help, generated at build, and one per exported cmdlet.
        var pages = Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs", "help"), "*.md").Select(Path.GetFileNameWithoutExtension).ToList();
        Assert.Equal(pages.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        Assert.Equal(ManifestCmdlets(), documented.Order(StringComparer.Ordinal));
        Assert.Contains("Get-FacilityUser", documented);
        Assert.Contains("Export-FacilityUsers", documented);
        Assert.True(File.Exists(Path.Combine(root, "en-US", "about_KolibriFacility.help.txt")));
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "LICENSE")), File.ReadAllText(Path.Combine(root, "LICENSE")));
        Assert.Equal(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "CHANGELOG.md")), File.ReadAllText(Path.Combine(root, "CHANGELOG.md")));
    }

    [Fact]
    public void The_version_lives_in_the_manifest_and_the_assemblies_carry_it()
    {
        var version = ModuleVersion().Match(ManifestText).Groups[1].Value;
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        var root = ModuleHostProcess.ModuleFolder;
        Assert.Equal(version, AssemblyName.GetAssemblyName(Path.Combine(root, "KolibriFacility.PowerShell.dll")).Version!.ToString(3));
        Assert.Equal(version, AssemblyName.GetAssemblyName(Path.Combine(root, "dependencies", "KolibriFacility.Core.dll")).Version!.ToString(3));
    }

    private static IEnumerable<string> ListedFiles(string key)
    {
        var match = Regex.Match(ManifestText, key + @"\s*=\s*@\(([^)]*)\)");
        Assert.True(match.Success, key + " not found in the psd1");
        return QuotedName().Matches(match.Groups[1].Value).Select(m => m.Groups[1].Value);
    }

    private static string NativeFileName() =>
        OperatingSystem.IsWindows() ? "e_sqlite3.dll" : OperatingSystem.IsMacOS() ? "libe_sqlite3.dylib" : "libe_sqlite3.so";

    [GeneratedRegex(@"CmdletsToExport\s*=\s*@\(([^)]*)\)")]
    private static partial Regex CmdletsToExport();

    [GeneratedRegex(@"'([^']+)'")]
    private static partial Regex QuotedName();

    [GeneratedRegex(@"ModuleVersion\s*=\s*'([0-9.]+)'")]
    private static partial Regex ModuleVersion();
}
