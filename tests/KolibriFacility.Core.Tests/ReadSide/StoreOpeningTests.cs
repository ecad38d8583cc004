using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

public sealed class StoreOpeningTests : IDisposable
{
    private readonly TempFolder folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void A_missing_file_is_NotFound_and_names_the_full_path()
    {
        var path = folder.File("nothing-here.sqlite3");
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(path));
        Assert.Equal(DatabaseProblem.NotFound, ex.Problem);
        Assert.Equal(path, ex.Path);
        Assert.Contains(path, ex.Message);
        Assert.Contains("KOLIBRI_HOME", ex.Message);
        Assert.False(File.Exists(path), "opening must not create the file");
    }

    [Fact]
    public void A_folder_means_the_db_sqlite3_inside_it()
    {
        folder.CopyFixtureDatabase();
        using var db = KolibriDatabase.OpenRead(folder.Path);
        Assert.Equal(folder.File("db.sqlite3"), db.Path);
        Assert.Equal(folder.Path, db.Home);

        var empty = Path.Combine(folder.Path, "empty-home");
        Directory.CreateDirectory(empty);
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(empty));
        Assert.Equal(DatabaseProblem.NotFound, ex.Problem);
        Assert.Equal(Path.Combine(empty, "db.sqlite3"), ex.Path);
    }

    [Fact]
    public void A_file_that_is_not_sqlite_is_NotADatabase()
    {
        var path = folder.File("users.csv");
        File.Copy(TestPaths.Fixture("users-export.csv"), path);
        var before = DbFiles.Sha256(path);
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(path));
        Assert.Equal(DatabaseProblem.NotADatabase, ex.Problem);
        Assert.Contains("not an SQLite database", ex.Message);
        Assert.Contains(path, ex.Message);
        Assert.Equal(before, DbFiles.Sha256(path));
    }

    [Fact]
    public void An_sqlite_file_without_kolibri_tables_is_NotADatabase()
    {
        var path = folder.File("other.sqlite3");
        DbFiles.Execute(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)");
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(path));
        Assert.Equal(DatabaseProblem.NotADatabase, ex.Problem);
        Assert.Contains("not a Kolibri database", ex.Message);
        Assert.Contains("kolibriauth", ex.Message);
    }

    [Fact]
    public void A_kolibri_database_missing_a_needed_column_or_table_is_UnsupportedSchema_naming_them()
    {
        var path = folder.CopyFixtureDatabase();
        DbFiles.Execute(path, "ALTER TABLE kolibriauth_facilityuser DROP COLUMN extra_demographics");
        DbFiles.Execute(path, "DROP TABLE device_devicesettings");
        var ex = Assert.Throws<KolibriDatabaseException>(() => KolibriDatabase.OpenRead(path));
        Assert.Equal(DatabaseProblem.UnsupportedSchema, ex.Problem);
        Assert.Equal(path, ex.Path);
        Assert.Contains("kolibriauth_facilityuser lacks extra_demographics", ex.Message);
        Assert.Contains("table device_devicesettings is missing", ex.Message);
    }

    [Fact]
    public void Opening_and_reading_everything_never_changes_the_database_file()
    {
        var path = folder.CopyFixtureDatabase();
        var before = DbFiles.Sha256(path);
        var modified = File.GetLastWriteTimeUtc(path);
        using (var db = KolibriDatabase.OpenRead(path))
        {
            var directory = new Facilities.FacilityDirectory(db);
            foreach (var facility in directory.GetFacilities().ToList())
            {
                _ = directory.GetClasses(facility).ToList();
                _ = new Users.UserReader(db).Read(facility, new Users.UserQuery { Usernames = ["learner01"] }).ToList();
                using var csv = new StringWriter();
                new UsersCsv.UsersCsvExporter().Write(csv, new Users.UserReader(db).Read(facility));
            }
        }

        Assert.Equal(before, DbFiles.Sha256(path));
        Assert.Equal(modified, File.GetLastWriteTimeUtc(path));
        // The fixture is in WAL mode: like every SQLite reader (Kolibri included) a read-only open may leave the
        // -wal/-shm side files, but never with content for the database.
        var wal = path + "-wal";
        Assert.True(!File.Exists(wal) || new FileInfo(wal).Length == 0);
    }

    [Fact]
    public void A_read_only_open_cannot_write()
    {
        var path = folder.CopyFixtureDatabase();
        using var db = KolibriDatabase.OpenRead(path);
        using var command = db.Command("DELETE FROM kolibriauth_facilityuser");
        Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => command.ExecuteNonQuery());
    }

    [Fact]
    public void An_explicit_path_is_made_absolute()
    {
        var resolved = KolibriDatabaseLocator.Resolve("some/rel/db.sqlite3");
        Assert.True(Path.IsPathRooted(resolved));
        Assert.Equal(Path.GetFullPath("some/rel/db.sqlite3"), resolved);
    }
}

[CollectionDefinition(nameof(EnvironmentVariables), DisableParallelization = true)]
public sealed class EnvironmentVariables;

[Collection(nameof(EnvironmentVariables))]
public sealed class DatabaseLocatorTests
{
    [Fact]
    public void Without_a_path_KOLIBRI_HOME_is_used_else_the_profile_kolibri_folder()
    {
        var saved = Environment.GetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable);
        try
        {
            using var home = new TempFolder();
            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, home.Path);
            Assert.Equal(home.File("db.sqlite3"), KolibriDatabaseLocator.Resolve(null));
            Assert.Equal(home.File("db.sqlite3"), KolibriDatabaseLocator.Resolve("  "));
            Assert.Equal(Path.GetFullPath("x.sqlite3"), KolibriDatabaseLocator.Resolve("x.sqlite3"));

            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, "~/kh");
            var profile = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            Assert.Equal(Path.Combine(profile, "kh", "db.sqlite3"), KolibriDatabaseLocator.Resolve(null));

            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, null);
            Assert.Equal(Path.Combine(profile, ".kolibri", "db.sqlite3"), KolibriDatabaseLocator.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, saved);
        }
    }

    [Fact]
    public void A_sqlite_home_whose_options_name_another_file_opens_that_file_as_kolibri_does()
    {
        var saved = Environment.GetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable);
        try
        {
            using var home = new TempFolder();
            File.Copy(TestPaths.Fixture("kolibri-small.sqlite3"), home.File("school.sqlite3"));
            File.WriteAllText(home.File("options.ini"), "[Database]\nDATABASE_ENGINE = sqlite\nDATABASE_NAME = school.sqlite3\n");
            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, home.Path);

            Assert.Equal(home.File("school.sqlite3"), KolibriDatabaseLocator.Resolve(null));
            Assert.Equal(home.File("school.sqlite3"), KolibriDatabaseLocator.SqliteFileIn(home.Path));
            using (var db = KolibriDatabase.OpenRead(home.Path))
            {
                Assert.Equal(home.File("school.sqlite3"), db.Path);
            }

            // KOLIBRI_DATABASE_NAME overrides options.ini, as it does for Kolibri.
            Environment.SetEnvironmentVariable("KOLIBRI_DATABASE_NAME", "other.sqlite3");
            Assert.Equal(home.File("other.sqlite3"), KolibriDatabaseLocator.Resolve(null));
        }
        finally
        {
            Environment.SetEnvironmentVariable("KOLIBRI_DATABASE_NAME", null);
            Environment.SetEnvironmentVariable(KolibriDatabaseLocator.HomeVariable, saved);
        }
    }
}
