using System.Text;
using KolibriFacility.Tests;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.PowerShell.Tests.Import;

/// <summary>
/// What must never happen to an admin's database: malformed files (on both engines), a Kolibri that holds the write
/// lock, and Ctrl+C in the middle of an import each end with clear errors and the database exactly as it was.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ImportSafetyTests(PostgresServer server) : HostedModuleTest
{
    private static readonly string Header = "UUID,USERNAME,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO";

    /// <summary>At least 30 malformed files, as bytes: each must give clear import errors and leave the database unchanged.</summary>
    public static IEnumerable<(string Name, byte[] Bytes)> MalformedFiles()
    {
        static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
        static byte[] Lines(params string[] lines) => Utf8(string.Join("\r\n", lines) + "\r\n");
        var good = ",okuser,pass123,OK User,LEARNER,,,,,";
        yield return ("empty file", []);
        yield return ("only a BOM", [0xEF, 0xBB, 0xBF]);
        yield return ("header only, no rows", Lines(Header));
        yield return ("blank lines only", Lines("", "", ""));
        yield return ("binary garbage", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256)).ToArray());
        yield return ("a zip file", [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00]);
        yield return ("invalid UTF-8", [.. Utf8(Header + "\r\n,caf"), 0xC3, 0x28, .. Utf8(",pass123,Cafe,LEARNER,,,,,\r\n")]);
        yield return ("UTF-32 with BOM", [0xFF, 0xFE, 0x00, 0x00, .. Encoding.UTF32.GetBytes(Header)]);
        yield return ("unterminated quote", Lines(Header, ",okuser,pass123,\"OK User,LEARNER,,,,,"));
        yield return ("quote inside an unquoted field", Lines(Header, ",ok\"user,pass123,OK User,LEARNER,,,,,"));
        yield return ("text after a closing quote", Lines(Header, ",okuser,pass123,\"OK\" User,LEARNER,,,,,"));
        yield return ("short row", Lines(Header, ",okuser,pass123"));
        yield return ("long row", Lines(Header, good + ",extra,cells"));
        yield return ("duplicate header", Lines(Header + ",USERNAME", good + ",again"));
        yield return ("missing required columns", Lines("USERNAME,FULL_NAME", "okuser,OK User"));
        yield return ("unknown column", Lines(Header + ",SHOE_SIZE", good + ",42"));
        yield return ("lower-case machine names are unknown to nobody but a typo is", Lines(Header.Replace("USER_TYPE", "USERTYPE", StringComparison.Ordinal), good));
        yield return ("huge field", Lines(Header, ",okuser,pass123," + new string('x', 1_000_000) + ",LEARNER,,,,,"));
        yield return ("huge username", Lines(Header, "," + new string('u', 5000) + ",pass123,OK User,LEARNER,,,,,"));
        yield return ("username with spaces", Lines(Header, ",ok user,pass123,OK User,LEARNER,,,,,"));
        yield return ("username with punctuation", Lines(Header, ",ok.user!,pass123,OK User,LEARNER,,,,,"));
        yield return ("formula in the username", Lines(Header, ",=HYPERLINK(\"x\"),pass123,OK User,LEARNER,,,,,"));
        yield return ("empty password for a new user", Lines(Header, ",okuser,,OK User,LEARNER,,,,,"));
        yield return ("keep-password star for a new user", Lines(Header, ",okuser,*,OK User,LEARNER,,,,,"));
        yield return ("unknown user type", Lines(Header, ",okuser,pass123,OK User,TEACHER,,,,,"));
        yield return ("empty user type", Lines(Header, ",okuser,pass123,OK User,,,,,,"));
        yield return ("bad gender", Lines(Header, ",okuser,pass123,OK User,LEARNER,,,OTHER,,"));
        yield return ("birth year 1850", Lines(Header, ",okuser,pass123,OK User,LEARNER,,1850,,,"));
        yield return ("birth year as text", Lines(Header, ",okuser,pass123,OK User,LEARNER,,nineteen,,,"));
        yield return ("identifier too long", Lines(Header, ",okuser,pass123,OK User,LEARNER," + new string('9', 65) + ",,,,"));
        yield return ("class name too long", Lines(Header, ",okuser,pass123,OK User,LEARNER,,,," + new string('c', 51) + ","));
        yield return ("bad UUID", Lines(Header, "not-a-uuid,okuser,pass123,OK User,LEARNER,,,,,"));
        yield return ("UUID of nobody with star password", Lines(Header, "0123456789abcdef0123456789abcdef,nobody_here,*,No Body,LEARNER,,,,,"));
        yield return ("duplicate usernames in the file", Lines(Header, good, ",OKUSER,pass123,OK Again,LEARNER,,,,,"));
        yield return ("empty full name", Lines(Header, ",okuser,pass123,,LEARNER,,,,,"));
        yield return ("semicolons with a bad row", Utf8(Header.Replace(',', ';') + "\n;okuser;pass123;OK User;ROBOT;;;;;\n"));
    }

    [Theory]
    [MemberData(nameof(EngineDatabase.Engines), MemberType = typeof(EngineDatabase))]
    public void Every_malformed_file_gives_clear_import_errors_and_leaves_the_database_unchanged(string engine)
    {
        using var database = EngineDatabase.Create(engine, Db, server);
        var before = database.Digest();
        var problems = new List<string>();
        var count = 0;
        foreach (var (name, bytes) in MalformedFiles())
        {
            count++;
            var csv = Home.File($"bad-{count}.csv");
            File.WriteAllBytes(csv, bytes);
            var result = Session.Run($"Import-FacilityUsers -Database $Db -LiteralPath '{csv}' -NoDelete -Confirm:$false", new Dictionary<string, object?> { ["Db"] = database.Database });
            var ids = result.ErrorIds.ToList();
            if (ids.Count == 0 && result.Warnings.Count == 0)
            {
                problems.Add($"{name}: neither an error nor a warning");
            }

            foreach (var error in result.Errors.Concat(result.Terminating is null ? [] : [result.Terminating]))
            {
                // A raw .NET exception surfaces with its type name as the error id and no stable rule.
                if (error.FullyQualifiedErrorId.StartsWith("System.", StringComparison.Ordinal) || error.Exception is NullReferenceException or IndexOutOfRangeException or InvalidCastException)
                {
                    problems.Add($"{name}: raw exception {error.FullyQualifiedErrorId}: {error.Exception.Message}");
                }
                else if (string.IsNullOrWhiteSpace(error.Exception.Message))
                {
                    problems.Add($"{name}: an error without a message ({error.FullyQualifiedErrorId})");
                }
            }

            if (database.Digest() != before)
            {
                problems.Add($"{name}: the database changed");
                before = database.Digest();
            }
        }

        Assert.True(count >= 30, $"only {count} malformed files");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public async Task While_Kolibri_holds_the_write_lock_the_import_waits_then_fails_with_DatabaseBusy_and_writes_nothing()
    {
        var csv = Home.File("one.csv");
        File.WriteAllText(csv, Header + "\r\n,okuser,pass123,OK User,LEARNER,,,,,\r\n");
        var before = DbFiles.Sha256(Db);

        // The lock holder is another process, as Kolibri is: two copies of SQLite in this test process would not see
        // each other's POSIX locks.
        using var kolibri = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            ArgumentList = { KolibriStandIn.AssemblyPath, "hold-lock", Db },
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        try
        {
            var locked = await kolibri.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(locked == "LOCKED", "the stand-in did not take the lock");
            var waited = System.Diagnostics.Stopwatch.StartNew();
            var result = Session.Run($"Import-FacilityUsers -Database $Db -LiteralPath '{csv}' -NoDelete -NoBackup -BusyTimeoutSeconds 1 -Confirm:$false", new Dictionary<string, object?> { ["Db"] = Db });
            var error = Assert.Single(result.Errors);
            Assert.StartsWith("DatabaseBusy,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains(Db, error.Exception.Message, StringComparison.Ordinal);
            Assert.True(waited.Elapsed >= TimeSpan.FromSeconds(0.9), "the import did not wait for the lock");
        }
        finally
        {
            kolibri.StandardInput.Close();
            if (!kolibri.WaitForExit(30_000))
            {
                kolibri.Kill(entireProcessTree: true);
            }
        }

        Assert.Equal(before, DbFiles.Sha256(Db));
    }

    [Fact]
    public void Ctrl_C_while_passwords_are_hashed_stops_the_import_and_writes_nothing()
    {
        var csv = Home.File("many.csv");
        File.WriteAllText(csv, Header + "\r\n" + string.Concat(Enumerable.Range(1, 200).Select(i => $",newuser{i},secret{i},New User {i},LEARNER,,,,,\r\n")));
        var before = DbFiles.Sha256(Db);
        var (result, stopped) = Session.RunAndStop(
            $"Import-FacilityUsers -Database $Db -LiteralPath '{csv}' -NoDelete -NoBackup -Confirm:$false",
            new Dictionary<string, object?> { ["Db"] = Db },
            () => { lock (Session.Host.Progress) { return Session.Host.Progress.Any(p => p.StatusDescription.StartsWith("Hashing", StringComparison.Ordinal)); } },
            TimeSpan.FromSeconds(60));
        Assert.True(stopped, "the import finished before it could be stopped");
        Assert.DoesNotContain(result.ErrorIds, id => id.StartsWith("System.", StringComparison.Ordinal));
        Assert.Equal(before, DbFiles.Sha256(Db));
        Assert.Empty(Directory.GetFiles(Home.Path, "*.sqlite3-journal"));
    }

    [Fact]
    public void An_import_shows_progress_for_hashing_and_writing()
    {
        var csv = Home.File("some.csv");
        // Enough users that hashing outlasts several of the pipeline thread's 100 ms progress polls, even 16 at once per core.
        File.WriteAllText(csv, Header + "\r\n" + string.Concat(Enumerable.Range(1, 100).Select(i => $",newuser{i},secret{i},New User {i},LEARNER,,,,,\r\n")));
        var result = Session.Run($"Import-FacilityUsers -Database $Db -LiteralPath '{csv}' -NoDelete -NoBackup -Confirm:$false -PassThru", new Dictionary<string, object?> { ["Db"] = Db });
        Assert.Empty(result.ErrorIds);
        Assert.Contains(result.Progress, p => p.StatusDescription.StartsWith("Hashing passwords", StringComparison.Ordinal));
        Assert.Equal(System.Management.Automation.ProgressRecordType.Completed, result.Progress.Last().RecordType);
        Assert.Equal(100, ((dynamic)result.Output[0].Properties["Summary"].Value).UsersCreated);
    }

}
