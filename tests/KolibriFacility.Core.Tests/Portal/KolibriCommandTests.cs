using KolibriFacility.Core.Portal;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Portal;

public sealed class KolibriCommandTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private string FakeKolibri(string subfolder)
    {
        var dir = Directory.CreateDirectory(Path.Combine(folder.Path, subfolder)).FullName;
        var file = Path.Combine(dir, OperatingSystem.IsWindows() ? "kolibri.exe" : "kolibri");
        File.WriteAllText(file, "#!/bin/sh\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        return file;
    }

    [Fact]
    public void The_parameter_wins_over_the_environment_and_path()
    {
        var explicitFile = FakeKolibri("explicit");
        var fromEnv = FakeKolibri("env");
        var onPath = FakeKolibri("path");
        string? Env(string name) => name switch { "KOLIBRI_COMMAND" => fromEnv, "PATH" => Path.GetDirectoryName(onPath), _ => null };

        Assert.Equal(explicitFile, KolibriCommandLocator.Find(explicitFile, Env).FileName);
        Assert.Equal(fromEnv, KolibriCommandLocator.Find(null, Env).FileName);
        Assert.Equal("$env:KOLIBRI_COMMAND", KolibriCommandLocator.Find(null, Env).Source);
        var found = KolibriCommandLocator.Find(null, n => n == "PATH" ? "/nonexistent" + Path.PathSeparator + Path.GetDirectoryName(onPath) : null);
        Assert.Equal(onPath, found.FileName);
        Assert.Equal("PATH", found.Source);
    }

    [Fact]
    public void A_command_line_keeps_its_arguments_before_manage()
    {
        var python = FakeKolibri("py");
        var command = KolibriCommandLocator.Find($"\"{python}\" -m kolibri", _ => null);
        Assert.Equal(python, command.FileName);
        Assert.Equal(["-m", "kolibri"], command.PrefixArguments);
    }

    [Fact]
    public void A_path_with_spaces_needs_no_quotes()
    {
        var spaced = FakeKolibri("Program Files");
        Assert.Equal(spaced, KolibriCommandLocator.Find(spaced, _ => null).FileName);
    }

    [Fact]
    public void A_missing_command_says_how_to_point_at_kolibri()
    {
        var ex = Assert.Throws<KolibriCommandNotFoundException>(() => KolibriCommandLocator.Find(null, n => n == "PATH" ? folder.Path : null));
        Assert.Contains("not on PATH", ex.Message, StringComparison.Ordinal);
        Assert.Contains("-KolibriCommand", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KOLIBRI_COMMAND", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/usr/bin/kolibri", ex.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<KolibriCommandNotFoundException>(() => KolibriCommandLocator.Find(Path.Combine(folder.Path, "nope", "kolibri"), _ => null));
        Assert.Contains("not a file", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_non_executable_file_on_path_is_not_kolibri()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var file = FakeKolibri("noexec");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Null(KolibriCommandLocator.SearchPath("kolibri", n => n == "PATH" ? Path.GetDirectoryName(file) : null));
    }

    [Fact]
    public void Command_lines_split_on_spaces_with_quotes_grouping()
    {
        Assert.Equal(["C:\\Program Files\\Python312\\python.exe", "-m", "kolibri"], KolibriCommandLocator.SplitCommandLine("\"C:\\Program Files\\Python312\\python.exe\" -m kolibri"));
        Assert.Equal(["python3", "-m", "kolibri"], KolibriCommandLocator.SplitCommandLine("  python3   -m kolibri "));
    }

    [Fact]
    public void Without_a_password_the_process_is_kolibris_ui_sync_on_the_command_line()
    {
        var request = new KolibriSyncRequest
        {
            Program = new KolibriProgram("/usr/bin/kolibri", [], "test"),
            DatabasePath = "/home/pi/.kolibri/db.sqlite3",
            KolibriHome = "/home/pi/.kolibri",
            FacilityId = "d75cec9798e731cf071b5fa20c8ee4ed",
            FacilityName = "Test School",
            BaseUrl = "https://kolibridataportal.learningequality.org",
            IsPortal = true,
        };
        Assert.Equal(["manage", "sync", "--facility", "d75cec9798e731cf071b5fa20c8ee4ed", "--baseurl", "https://kolibridataportal.learningequality.org", "--chunk-size", "200", "--noninteractive"], request.ProcessArguments());
        Assert.Null(request.StandardInputLine());
        Assert.Equal("/usr/bin/kolibri manage sync --facility d75cec9798e731cf071b5fa20c8ee4ed --baseurl https://kolibridataportal.learningequality.org --chunk-size 200 --noninteractive", request.DisplayCommandLine());
        Assert.Equal(Path.Combine("/home/pi/.kolibri", "logs", "kolibri.txt"), request.LogPath);
    }

    [Fact]
    public void A_password_never_reaches_the_command_line_and_a_leading_dash_cannot_be_taken_for_an_option()
    {
        var request = new KolibriSyncRequest
        {
            Program = new KolibriProgram("/usr/bin/kolibri", [], "test"),
            DatabasePath = "/home/pi/.kolibri/db.sqlite3",
            KolibriHome = "/home/pi/.kolibri",
            FacilityId = "d75cec9798e731cf071b5fa20c8ee4ed",
            FacilityName = "Test School",
            BaseUrl = "http://10.0.0.5:8080",
            Direction = SyncDirection.PullOnly,
            Username = "-admin",
            Password = "-s3cret \"quoted\" é",
        };
        Assert.Equal(["manage", "shell", "-c", KolibriSyncRequest.ShellCode], request.ProcessArguments());
        Assert.DoesNotContain(request.ProcessArguments(), a => a.Contains("s3cret", StringComparison.Ordinal));
        Assert.Equal(
            ["sync", "--facility", "d75cec9798e731cf071b5fa20c8ee4ed", "--baseurl", "http://10.0.0.5:8080", "--chunk-size", "200", "--noninteractive", "--no-push", "--username=-admin", "--password=-s3cret \"quoted\" é"],
            System.Text.Json.JsonSerializer.Deserialize<string[]>(request.StandardInputLine()!)!);
        Assert.DoesNotContain('\n', request.StandardInputLine()!);
        Assert.DoesNotContain("s3cret", request.DisplayCommandLine(), StringComparison.Ordinal);
        Assert.Contains("--no-push --username=-admin --password=******** (through 'manage shell', arguments on standard input)", request.DisplayCommandLine(), StringComparison.Ordinal);
    }
}
