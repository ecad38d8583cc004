using System.Reflection;
using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using System.Data.Common;

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
        if (options.SampleLogs > 0 && options.SampleUsers == 0)
        {
            throw new ArgumentException($"{options.SampleLogs} sample logs need sample users to belong to: give SampleUsers as well (for example 200).", nameof(options));
        }

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

        // One batch for both: the admin's password and the one hash all sample users share.
        var passwordHashes = PasswordHasher.Default.HashAll([options.AdminPassword, options.SamplePassword], new PasswordHashingOptions { Cancellation = cancellation });
        var admin = writer.InsertUser(dataset.Id, facility.Id, SourceId(random), options.AdminUsername, options.AdminUsername,
            passwordHashes[0], Demographics.Deferred, Demographics.Deferred, "", DateTimeOffset.UtcNow);
        writer.InsertRole(dataset.Id, admin, facility.Id, RoleKinds.Admin);
        writer.InsertDevicePermissions(admin, superuser: true);

        var classes = 0;
        var learners = new List<string>();
        if (options.SampleUsers > 0)
        {
            var generator = new SampleUserGenerator(random);
            var classIds = new List<string>();
            foreach (var className in SampleUserGenerator.ClassNames(options.SampleUsers))
            {
                var classroom = MorangoId.ForCollection(CollectionKinds.Classroom, dataset.Id, SourceId(random));
                writer.InsertCollection(classroom, className, CollectionKinds.Classroom, dataset.Id, facility.Id);
                classIds.Add(classroom.Id);
            }

            classes = classIds.Count;
            var sharedHash = passwordHashes[1];
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

                if (sample.Type == UserType.LEARNER)
                {
                    learners.Add(userId);
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

        var summaries = options.SampleLogs > 0 ? InsertSampleLogs(writer, dataset.Id, learners, options.SampleLogs, random, options.SampleUsers, progress, cancellation) : 0;
        transaction.Commit();
        return new SandboxResult(database.Path, facility.Id, options.FacilityName, dataset.Id, options.SampleUsers + 1, classes)
        {
            SessionLogs = options.SampleLogs,
            SummaryLogs = summaries,
        };
    }

    /// <summary>Two sample channels, the session logs, then one summary log per learner and resource; returns the summary count.</summary>
    private static int InsertSampleLogs(SandboxWriter writer, string datasetId, List<string> learners, int count, Random random,
        int progressOffset, IProgress<int>? progress, CancellationToken cancellation)
    {
        var channels = SampleContent.Create(() => SourceId(random));
        for (var i = 0; i < channels.Count; i++)
        {
            writer.InsertChannel(channels[i], i + 1);
        }

        var resources = channels.SelectMany(c => c.Resources).ToList();
        var summaries = new Dictionary<(int User, int Resource), SampleSummary>();
        var generator = new SampleLogGenerator(random, DateTimeOffset.UtcNow);
        var done = 0;
        foreach (var session in generator.Sessions(count, learners.Count, resources.Select(r => r.Kind).ToList()))
        {
            cancellation.ThrowIfCancellationRequested();
            var userId = learners[session.User];
            writer.InsertSessionLog(MorangoId.ForContentSessionLog(datasetId, userId, SourceId(random)), datasetId, userId, resources[session.Resource], session);
            var key = (session.User, session.Resource);
            if (!summaries.TryGetValue(key, out var summary))
            {
                summaries[key] = summary = new SampleSummary(session.User, session.Resource, session.Start);
            }

            summary.Add(session);
            if (++done % 10000 == 0)
            {
                progress?.Report(progressOffset + done); // counts continue after the users'
            }
        }

        foreach (var summary in summaries.Values)
        {
            writer.InsertSummaryLog(datasetId, learners[summary.User], resources[summary.Resource], summary);
        }

        progress?.Report(progressOffset + done);
        return summaries.Count;
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

    private static void Execute(KolibriDatabase database, DbTransaction transaction, string sql)
    {
        using var command = database.Command(sql, transaction);
        command.ExecuteNonQuery();
    }
}
