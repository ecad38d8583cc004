using System.Reflection;
using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using Microsoft.Data.Sqlite;

namespace KolibriFacility.Core.Sandbox;

/// <summary>
/// Builds a sandbox database for trying the module: Kolibri 0.17's schema for the tables the module uses, one
/// facility with a real root certificate, dataset and device settings, a device superuser, and optional sample
/// users, classes, roles and memberships, all with morango ids, partitions and dirty bits computed as Kolibri does.
/// It is not a database to start Kolibri on (Kolibri's other tables, migrations and instance ids are absent).
/// </summary>
public static class SandboxDatabase
{
    public static SandboxResult Create(string path, SandboxOptions options, IProgress<int>? progress = null, CancellationToken cancellation = default)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new IOException($"The file '{full}' already exists.");
        }

        try
        {
            using var database = KolibriDatabase.CreateEmpty(full);
            var result = Build(database, options, progress, cancellation);
            return result with { Path = full };
        }
        catch
        {
            // Never leave a half-built sandbox behind: the file did not exist before this call.
            foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
            {
                File.Delete(full + suffix);
            }

            throw;
        }
    }

    private static SandboxResult Build(KolibriDatabase database, SandboxOptions options, IProgress<int>? progress, CancellationToken cancellation)
    {
        using (var wal = database.Command("PRAGMA journal_mode = WAL"))
        {
            wal.ExecuteNonQuery(); // Kolibri runs its databases in WAL mode.
        }

        using var transaction = database.Connection.BeginTransaction();
        Execute(database, transaction, ReadSchema());
        using var writer = new SandboxWriter(database, transaction, options.TimeZone);
        var random = options.Seed is { } seed ? new Random(seed) : new Random();

        writer.InsertScopeDefinitions();
        var root = MorangoCertificate.NewFacilityRoot();
        writer.InsertRootCertificate(root);
        var dataset = root.DatasetIdentity();
        writer.InsertDataset(dataset);
        var facility = MorangoId.ForCollection(CollectionKinds.Facility, dataset.Id, SourceId(random));
        writer.InsertCollection(facility, options.FacilityName, CollectionKinds.Facility, dataset.Id, parentId: null);
        writer.InsertDeviceSettings(facility.Id);

        var admin = writer.InsertUser(dataset.Id, facility.Id, SourceId(random), options.AdminUsername, options.AdminUsername,
            DjangoPassword.Hash(options.AdminPassword), Demographics.Deferred, Demographics.Deferred, "", DateTimeOffset.UtcNow);
        writer.InsertRole(dataset.Id, admin, facility.Id, RoleKinds.Admin);
        writer.InsertDevicePermissions(admin, superuser: true);

        var classes = 0;
        if (options.SampleUsers > 0)
        {
            var generator = new SampleUserGenerator(random);
            var classIds = new List<string>();
            foreach (var className in generator.ClassNames(options.SampleUsers))
            {
                var classroom = MorangoId.ForCollection(CollectionKinds.Classroom, dataset.Id, SourceId(random));
                writer.InsertCollection(classroom, className, CollectionKinds.Classroom, dataset.Id, facility.Id);
                classIds.Add(classroom.Id);
            }

            classes = classIds.Count;
            var sharedHash = DjangoPassword.Hash(options.SamplePassword);
            var done = 0;
            foreach (var sample in generator.Users(options.SampleUsers, classIds.Count))
            {
                cancellation.ThrowIfCancellationRequested();
                var userId = writer.InsertUser(dataset.Id, facility.Id, SourceId(random), sample.Username, sample.FullName, sharedHash,
                    sample.Gender, sample.BirthYear, sample.Identifier, sample.DateJoined);
                if (RoleKinds.ForUserType(sample.Type) is { } kind)
                {
                    writer.InsertRole(dataset.Id, userId, facility.Id, kind);
                }

                foreach (var index in sample.EnrolledIn)
                {
                    writer.InsertMembership(dataset.Id, userId, classIds[index]);
                }

                foreach (var index in sample.AssignedTo)
                {
                    writer.InsertRole(dataset.Id, userId, classIds[index], RoleKinds.Coach);
                }

                if (++done % 1000 == 0)
                {
                    progress?.Report(done);
                }
            }

            progress?.Report(done);
        }

        transaction.Commit();
        return new SandboxResult(database.Path, facility.Id, options.FacilityName, dataset.Id, options.SampleUsers + 1, classes);
    }

    private static string SourceId(Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }

    private static string ReadSchema()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("KolibriFacility.Core.Sandbox.KolibriSchema.sql")
            ?? throw new InvalidOperationException("The embedded Kolibri schema is missing from KolibriFacility.Core.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static void Execute(KolibriDatabase database, SqliteTransaction transaction, string sql)
    {
        using var command = database.Command(sql, transaction);
        command.ExecuteNonQuery();
    }
}
