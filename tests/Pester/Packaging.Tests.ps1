#Requires -Version 7.4
# The package an admin installs: build.ps1's Package step packs the built module into a .nupkg, which is published to a
# file repository with Publish-PSResource, installed with Install-PSResource, and used in a fresh pwsh without
# Import-Module. Everything runs in child pwsh processes with their own HOME, XDG folders and PSModulePath, so the
# user's real repositories and modules are never read or changed. Run with ./build.ps1 -Task Test.

BeforeAll {
    . (Join-Path $PSScriptRoot '..' 'common.ps1')
    Add-Type -AssemblyName System.IO.Compression.FileSystem

    $Work = Join-Path $TestDrive 'packaging'
    # PSResourceGet installs CurrentUser modules under HOME (~/.local/share/powershell/Modules) while pwsh looks under
    # XDG_DATA_HOME, so both point into the temporary HOME, as they do on a default Linux or macOS account.
    $childHome = Join-Path $Work 'home'
    $Environment = @{
        HOME            = $childHome
        XDG_DATA_HOME   = Join-Path $childHome '.local' 'share'   # PSResourceGet's repository list, the user's modules
        XDG_CONFIG_HOME = Join-Path $childHome '.config'          # NuGet.Config written by PSResourceGet
        XDG_CACHE_HOME  = Join-Path $childHome '.cache'
        LOCALAPPDATA    = Join-Path $childHome 'AppData' 'Local'   # PSResourceGet's repository list on Windows
        USERPROFILE     = $childHome
    }
    $UserModules = Join-Path $Environment.XDG_DATA_HOME 'powershell' 'Modules'
    $Environment.PSModulePath = $UserModules + [IO.Path]::PathSeparator + (Join-Path $PSHOME 'Modules')
    $Environment.Values | ForEach-Object { New-Item -ItemType Directory -Force -Path $_ | Out-Null }

    function Invoke-ChildPwsh([string] $Script, [string[]] $Arguments = @()) {
        # A fresh pwsh (the one running these tests; `dotnet pwsh` runs as dotnet + pwsh.dll) with the temporary environment.
        $file = Join-Path $Work ('child-' + [guid]::NewGuid().ToString('N').Substring(0, 8) + '.ps1')
        Set-Content -LiteralPath $file -Value $Script
        $process = [Environment]::ProcessPath
        $start = [Diagnostics.ProcessStartInfo]::new($process)
        if ([IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { $start.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
        foreach ($argument in @('-NoProfile', '-NonInteractive', '-File', $file) + $Arguments) { $start.ArgumentList.Add($argument) }
        foreach ($name in $Environment.Keys) { $start.Environment[$name] = $Environment[$name] }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $child = [Diagnostics.Process]::Start($start)
        $errors = $child.StandardError.ReadToEndAsync()
        $output = $child.StandardOutput.ReadToEnd()
        $child.WaitForExit()
        [pscustomobject]@{ ExitCode = $child.ExitCode; Output = @($output -split '\r?\n' | Where-Object { $_ }); Errors = $errors.Result }
    }

    # build.ps1's own Invoke-Package, taken from the script without running its build.
    $buildScript = [Management.Automation.Language.Parser]::ParseFile((Join-Path $RepoRoot 'build.ps1'), [ref] $null, [ref] $null)
    $PackageFunction = $buildScript.Find({ param($node) $node -is [Management.Automation.Language.FunctionDefinitionAst] -and $node.Name -eq 'Invoke-Package' }, $true).Extent.Text

    $Publish = Invoke-ChildPwsh -Script (@'
param($ModuleFolder, $Work)
$ErrorActionPreference = 'Stop'
'@ + "`n$PackageFunction`n" + @'
$package = Invoke-Package $ModuleFolder (Join-Path $Work 'package')
'package ' + $package.FullName
$repository = Join-Path $Work 'repository'
New-Item -ItemType Directory -Force -Path $repository | Out-Null
Register-PSResourceRepository -Name KolibriFacilityTest -Uri $repository -Trusted
try {
    Publish-PSResource -NupkgPath $package.FullName -Repository KolibriFacilityTest
    Install-PSResource -Name KolibriFacility -Repository KolibriFacilityTest -Scope CurrentUser -TrustRepository
    'installed ' + (Get-InstalledPSResource -Name KolibriFacility -Scope CurrentUser).InstalledLocation
}
finally {
    Unregister-PSResourceRepository -Name KolibriFacilityTest
}
'repositories ' + ((Get-PSResourceRepository).Name -join ',')
'@) -Arguments @((Split-Path $ModuleManifest), $Work)
    $Package = ($Publish.Output | Where-Object { $_ -like 'package *' }) -replace '^package ', ''
}

Describe 'The module package' {
    It 'is packed, published to a file repository and installed with PSResourceGet' {
        $Publish.ExitCode | Should -Be 0 -Because ($Publish.Output + $Publish.Errors -join "`n")
        Split-Path $Package -Leaf | Should -Be "KolibriFacility.$((Import-PowerShellDataFile $ModuleManifest).ModuleVersion).nupkg"
        Get-ChildItem (Join-Path $Work 'repository') -Filter *.nupkg | Should -HaveCount 1
        Test-Path (Join-Path $UserModules 'KolibriFacility' '*' 'KolibriFacility.psd1') | Should -BeTrue
        # The temporary repository is gone again; the child's list is its own (the default PSGallery only).
        $Publish.Output | Should -Contain 'repositories PSGallery'
    }

    It 'carries the native SQLite library of all 7 platforms, the help, LICENSE and CHANGELOG' {
        $zip = [IO.Compression.ZipFile]::OpenRead($Package)
        try { $entries = @($zip.Entries.FullName) } finally { $zip.Dispose() }
        $natives = $entries -match '^dependencies/runtimes/[^/]+/native/(lib)?e_sqlite3\.(dll|so|dylib)$'
        $natives | ForEach-Object { ($_ -split '/')[2] } | Sort-Object |
            Should -Be @('linux-arm64', 'linux-musl-x64', 'linux-x64', 'osx-arm64', 'osx-x64', 'win-arm64', 'win-x64')
        $entries | Should -Contain 'en-US/KolibriFacility.PowerShell.dll-Help.xml'
        $entries | Should -Contain 'en-US/about_KolibriFacility.help.txt'
        $entries | Should -Contain 'LICENSE'
        $entries | Should -Contain 'CHANGELOG.md'
        $entries | Should -Contain 'dependencies/KolibriFacility.Core.dll'
    }

    It 'auto-loads in a fresh pwsh: Get-FacilityUser works without Import-Module' {
        $run = Invoke-ChildPwsh -Script @'
param($Database)
$ErrorActionPreference = 'Stop'
'loaded before ' + [bool] (Get-Module KolibriFacility)
'users ' + @(Get-FacilityUser -Database $Database).Count
'module ' + (Get-Module KolibriFacility).ModuleBase
'help ' + (Get-Help Get-FacilityUser).Synopsis
'@ -Arguments @($FixtureDatabase)
        $run.ExitCode | Should -Be 0 -Because ($run.Output + $run.Errors -join "`n")
        $run.Output | Should -Contain 'loaded before False'
        $expected = @(Get-FacilityUser -Database $FixtureDatabase).Count
        $run.Output | Should -Contain "users $expected"
        ($run.Output | Where-Object { $_ -like 'module *' }) | Should -BeLike "module $(Join-Path $UserModules 'KolibriFacility')*"
        ($run.Output | Where-Object { $_ -like 'help *' }) | Should -Match '^help \S.*users'
    }
}
