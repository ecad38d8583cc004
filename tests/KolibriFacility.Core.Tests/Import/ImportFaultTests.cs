using System.Diagnostics;
using KolibriFacility.Core.Import;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;
using KolibriFacility.Core.UsersCsv;
using static KolibriFacility.Core.Tests.Import.ImportTestData;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>
/// Backups and file faults of an import on real copies of the fixture: owner-only backups, bounded backups, no
/// leftovers of failed runs, and read-only / full / blocked files named clearly before any password is hashed.
/// The tests run as root, which ignores mode bits: read-only cases use what root cannot bypass (chattr +i, a
/// read-only or full tmpfs) and are skipped where this machine cannot make them.
/// </summary>
public sealed class ImportFaultTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private readonly TempFolder folder = new();
    private readonly List<string> immutable = [];
    private readonly List<string> mounts = [];

    public void Dispose()
    {
        immutable.ForEach(p => Run("chattr", "-i", p));
        mounts.ForEach(p => Run("umount", p));
        folder.Dispose();
    }

    private string Home(string name = "home")
    {
        var home = Directory.CreateDirectory(folder.File(name)).FullName;
        var db = Path.Combine(home, "db.sqlite3");
        File.Copy(TestPaths.FixtureDatabase, db);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(db, OwnerOnly);
        return home;
    }

    /// <summary>A plan that creates one user with a password: applying it hashes first.</summary>
    private static (ImportPlan Plan, UsersCsvDocument Document) NewUserPlan(string db, string username = "newkid")
    {
        using var database = KolibriDatabase.OpenRead(db);
        var facility = database.DefaultFacility();
        var rows = RowsOf(database, facility);
        rows.Add(NewRow(500, username, UserType.LEARNER, password: "kid-pass-1"));
        var document = Document(rows);
        return (new ImportPlanner(database).Plan(facility, document, new ImportOptions { NoDelete = true }), document);
    }

    private static ImportResult Apply(string home, Stages? stages = null, int keep = ImportApplyOptions.DefaultBackupsToKeep, string username = "newkid", CancellationToken cancellation = default) =>
        Apply(NewUserPlan(Path.Combine(home, "db.sqlite3"), username), stages, keep, cancellation);

    private static ImportResult Apply((ImportPlan Plan, UsersCsvDocument Document) planned, Stages? stages = null, int keep = ImportApplyOptions.DefaultBackupsToKeep, CancellationToken cancellation = default)
    {
        var (plan, document) = planned;
        return ImportApplier.Apply(plan, document, new ImportApplyOptions
        {
            DatabasePath = plan.DatabasePath, HashParallelism = 1, Progress = stages, BackupsToKeep = keep,
        }, cancellation);
    }

    [Fact]
    public void Backups_and_their_folder_are_owner_only_whatever_the_umask()
    {
        if (OperatingSystem.IsWindows()) return;
        var home = Home();
        var backups = Directory.CreateDirectory(Path.Combine(home, "backups")).FullName;
        File.SetUnixFileMode(backups, OwnerOnly | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);

        var result = Apply(home);

        Assert.NotNull(result.BackupPath);
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(result.BackupPath!));
        Assert.Equal(OwnerOnly | UnixFileMode.UserExecute, File.GetUnixFileMode(backups));
    }

    [Fact]
    public void Backups_are_bounded_the_newest_kept_and_a_killed_runs_partial_backup_removed()
    {
        var home = Home();
        var backups = Path.Combine(home, "backups");
        var first = Apply(home, keep: 2, username: "kid1").BackupPath!;
        File.SetLastWriteTimeUtc(first, DateTime.UtcNow.AddHours(-2));
        var second = Apply(home, keep: 2, username: "kid2").BackupPath!;
        File.SetLastWriteTimeUtc(second, DateTime.UtcNow.AddHours(-1));
        var leftover = Path.Combine(backups, ".db-Demo_Facility-20260101T000000Z.sqlite3.partial");
        File.WriteAllText(leftover, "killed mid-backup");

        var third = Apply(home, keep: 2, username: "kid3").BackupPath!;

        // Compared as sets: backups made within one second get "-2", "-3" suffixes, which do not sort by time.
        Assert.Equal(new[] { second, third }.Order(StringComparer.Ordinal), Directory.GetFiles(backups).Order(StringComparer.Ordinal));
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(first));
    }

    [Fact]
    public void A_cancelled_import_leaves_neither_its_backup_nor_the_folder_it_created()
    {
        var home = Home();
        using var cancel = new CancellationTokenSource();
        var stages = new Stages(stage => { if (stage == ImportApplier.WritingStage) cancel.Cancel(); });
        var before = DbFiles.Sha256(Path.Combine(home, "db.sqlite3"));

        Assert.ThrowsAny<OperationCanceledException>(() => Apply(home, stages, cancellation: cancel.Token));

        Assert.False(Directory.Exists(Path.Combine(home, "backups")));
        Assert.Equal(before, DbFiles.Sha256(Path.Combine(home, "db.sqlite3")));
    }

    [Fact]
    public void A_file_named_backups_is_a_clear_error_before_any_hashing()
    {
        var home = Home();
        File.WriteAllText(Path.Combine(home, "backups"), "not a folder");
        var stages = new Stages();

        var ex = Assert.Throws<BackupException>(() => Apply(home, stages));

        Assert.Equal(BackupProblem.FolderIsFile, ex.Problem);
        Assert.Equal(Path.Combine(home, "backups"), ex.Path);
        Assert.Empty(stages.Seen);
    }

    [Fact]
    public void An_immutable_database_is_DatabaseReadOnly_before_any_hashing()
    {
        var home = Home();
        var db = Path.Combine(home, "db.sqlite3");
        if (!MakeImmutable(db)) return;
        var stages = new Stages();

        var ex = Assert.Throws<KolibriDatabaseException>(() => Apply(home, stages));

        Assert.Equal(DatabaseProblem.ReadOnly, ex.Problem);
        Assert.Equal(db, ex.Path);
        Assert.Empty(stages.Seen);
    }

    [Fact]
    public void An_immutable_database_folder_is_DatabaseFolderReadOnly_before_any_hashing()
    {
        var home = Home();
        var planned = NewUserPlan(Path.Combine(home, "db.sqlite3"));
        if (!MakeImmutable(home)) return;
        var stages = new Stages();

        var ex = Assert.Throws<KolibriDatabaseException>(() => Apply(planned, stages));

        Assert.Equal(DatabaseProblem.FolderReadOnly, ex.Problem);
        Assert.Equal(home, ex.Path);
        Assert.Empty(stages.Seen);
    }

    [Fact]
    public void An_unwritable_backup_folder_is_named_as_such_not_blamed_on_the_database()
    {
        var home = Home();
        var backups = Directory.CreateDirectory(Path.Combine(home, "backups")).FullName;
        if (!MakeImmutable(backups)) return;
        var stages = new Stages();

        var ex = Assert.Throws<BackupException>(() => Apply(home, stages));

        Assert.Equal(BackupProblem.FolderNotWritable, ex.Problem);
        Assert.Equal(backups, ex.Path);
        Assert.Empty(stages.Seen);
    }

    [Fact]
    public void A_full_disk_during_the_backup_is_DiskFull_and_leaves_no_backup_folder()
    {
        var disk = Directory.CreateDirectory(folder.File("small-disk")).FullName;
        var size = new FileInfo(TestPaths.FixtureDatabase).Length;
        if (!Run("mount", "-t", "tmpfs", "-o", $"size={size + 1024 * 1024}", "tmpfs", disk)) return;
        mounts.Add(disk);
        var db = Path.Combine(disk, "db.sqlite3");
        File.Copy(TestPaths.FixtureDatabase, db);
        var before = DbFiles.Sha256(db);

        var ex = Assert.Throws<BackupException>(() => Apply(disk));

        Assert.Equal(BackupProblem.DiskFull, ex.Problem);
        Assert.Equal(before, DbFiles.Sha256(db));
        var backups = Path.Combine(disk, "backups");
        Assert.False(Directory.Exists(backups), Directory.Exists(backups) ? string.Join(", ", Directory.GetFileSystemEntries(backups)) : "");
    }

    private bool MakeImmutable(string path)
    {
        if (!OperatingSystem.IsLinux() || !Run("chattr", "+i", path)) return false;
        immutable.Add(path);
        return true;
    }

    private static bool Run(string command, params string[] arguments)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>Records the stages reported, synchronously (Progress&lt;T&gt; would post them later).</summary>
    private sealed class Stages(Action<string>? onReport = null) : IProgress<ImportProgress>
    {
        public List<string> Seen { get; } = [];

        public void Report(ImportProgress value)
        {
            lock (Seen)
            {
                if (!Seen.Contains(value.Stage)) Seen.Add(value.Stage);
            }

            onReport?.Invoke(value.Stage);
        }
    }
}
