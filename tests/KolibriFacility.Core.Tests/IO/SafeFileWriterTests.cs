using System.Diagnostics;
using System.Text;
using KolibriFacility.Core.IO;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.IO;

/// <summary>Output files: permissions no wider than the database, a replaced file's mode and owner kept, symbolic links written through.</summary>
public sealed class SafeFileWriterTests : IDisposable
{
    private const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    private static void Write(string path, string text, OutputFileOptions? options = null) =>
        SafeFileWriter.Write(path, options ?? new OutputFileOptions(), stream => { stream.Write(Encoding.UTF8.GetBytes(text)); return 0; });

    [Fact]
    public void A_new_file_is_no_wider_than_the_database_it_comes_from()
    {
        if (OperatingSystem.IsWindows()) return;
        var database = folder.File("db.sqlite3");
        File.WriteAllText(database, "db");
        File.SetUnixFileMode(database, OwnerReadWrite);

        var export = folder.File("users.csv");
        Write(export, "secret", new OutputFileOptions { PermissionsOf = database });
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(export));

        // No reference at all: owner only, whatever the umask would allow.
        var orphan = folder.File("rejected.csv");
        Write(orphan, "passwords");
        Assert.Equal(OwnerReadWrite, File.GetUnixFileMode(orphan));

        // A database readable by its group gives exports readable by that group, never executable.
        File.SetUnixFileMode(database, OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.UserExecute);
        var shared = folder.File("shared.csv");
        Write(shared, "x", new OutputFileOptions { PermissionsOf = database });
        Assert.Equal(OwnerReadWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(shared));
    }

    [Fact]
    public void Overwriting_keeps_the_files_mode_and_owner()
    {
        if (OperatingSystem.IsWindows()) return;
        var target = folder.File("users.csv");
        File.WriteAllText(target, "old");
        File.SetUnixFileMode(target, OwnerReadWrite | UnixFileMode.GroupRead);
        var root = Environment.UserName == "root";
        if (root)
        {
            Chown(target, "1234:2345");
        }

        Write(target, "new", new OutputFileOptions { PermissionsOf = null });

        Assert.Equal("new", File.ReadAllText(target));
        Assert.Equal(OwnerReadWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(target));
        if (root && OperatingSystem.IsLinux())
        {
            Assert.Equal(((uint)1234, (uint)2345), UnixFiles.OwnerOf(target));
        }
    }

    [Fact]
    public void A_symbolic_link_stays_a_link_and_its_target_is_written_as_Export_Csv_does()
    {
        if (OperatingSystem.IsWindows()) return;
        var real = Directory.CreateDirectory(folder.File("real")).FullName;
        var target = Path.Combine(real, "users.csv");
        File.WriteAllText(target, "old");
        var link = folder.File("link.csv");
        File.CreateSymbolicLink(link, target);

        Write(link, "new");

        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Equal("new", File.ReadAllText(target));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp", SearchOption.AllDirectories));

        // NoClobber looks through the link too.
        Assert.Throws<OutputFileException>(() => Write(link, "again", new OutputFileOptions { NoClobber = true }));
        Assert.Equal("new", File.ReadAllText(target));
    }

    [Fact]
    public void A_long_target_name_still_gets_a_temporary_name_the_file_system_accepts()
    {
        var name = new string('é', 120) + ".csv"; // 244 bytes in UTF-8: the name fits, the name plus a suffix would not
        var target = folder.File(name);
        Write(target, "x");
        Assert.Equal("x", File.ReadAllText(target));
    }

    private static void Chown(string path, string owner)
    {
        using var process = Process.Start(new ProcessStartInfo("chown", [owner, path]) { RedirectStandardError = true })!;
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
