using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Model;
using KolibriFacility.Core.Security;
using KolibriFacility.Core.Storage;
using KolibriFacility.Core.Time;
using System.Data.Common;

namespace KolibriFacility.Core.Sandbox;

/// <summary>Inserts the rows of a sandbox with prepared commands inside one transaction, as Kolibri's models would store them.</summary>
internal sealed class SandboxWriter(KolibriDatabase database, DbTransaction transaction, string timeZone) : IDisposable
{
    private readonly KolibriRowWriter rows = new(database, transaction);
    private DbCommand? sessionLogCommand;
    private DbCommand? summaryLogCommand;

    public void InsertScopeDefinitions()
    {
        Run("""
            INSERT INTO morango_scopedefinition (profile, version, id, description, read_filter_template, write_filter_template, read_write_filter_template, primary_scope_param_key)
            VALUES ('facilitydata', 1, 'full-facility', 'Allows full syncing for data under the Facility with FacilityDataset ID ${dataset_id}.', '', '', '${dataset_id}', 'dataset_id'),
                   ('facilitydata', 1, 'single-user', 'Allows syncing data for FacilityUser ${user_id} under Facility with FacilityDataset ID ${dataset_id}.',
                    '${dataset_id}:allusers-ro' || char(10) || '${dataset_id}:user-ro:${user_id}', '${dataset_id}:anonymous', '${dataset_id}:user-rw:${user_id}', '')
            """);
    }

    public void InsertRootCertificate(MorangoCertificate certificate) => Run("""
        INSERT INTO morango_certificate (id, profile, scope_version, scope_params, public_key, serialized, signature, lft, rght, tree_id, level, scope_definition_id, private_key, salt, parent_id)
        VALUES ($id, $profile, $version, $params, $key, $serialized, $signature, 1, 2, 1, 0, $scope, $private, $salt, NULL)
        """,
        ("$id", certificate.Id), ("$profile", certificate.Profile), ("$version", certificate.ScopeVersion), ("$params", certificate.ScopeParams),
        ("$key", certificate.PublicKey), ("$serialized", certificate.Serialized), ("$signature", certificate.Signature),
        ("$scope", certificate.ScopeDefinitionId), ("$private", certificate.PrivateKeyPem), ("$salt", certificate.Salt));

    /// <summary>A dataset with the model defaults of Kolibri 0.17 and the 'nonformal' preset the setup wizard offers first.</summary>
    public void InsertDataset(MorangoIdentity dataset) => Run("""
        INSERT INTO kolibriauth_facilitydataset (id, _morango_dirty_bit, _morango_source_id, _morango_partition, description, location,
            learner_can_edit_username, learner_can_edit_name, learner_can_edit_password, learner_can_sign_up, learner_can_delete_account,
            learner_can_login_with_no_password, preset, show_download_button_in_learn, registered, extra_fields)
        VALUES ($id, 1, $source, $partition, '', '', 1, 1, 1, 1, 1, 0, 'nonformal', 1, 0, '{"facility": {}, "on_my_own_setup": false, "pin_code": ""}')
        """, ("$id", dataset.Id), ("$source", dataset.SourceId), ("$partition", dataset.Partition));

    public void InsertCollection(MorangoIdentity identity, string name, string kind, string datasetId, string? parentId) =>
        rows.InsertCollection(identity, name, kind, datasetId, parentId);

    public void InsertDeviceSettings(string facilityId) => Run("""
        INSERT INTO device_devicesettings (id, is_provisioned, language_id, default_facility_id, allow_guest_access, allow_learner_unassigned_resource_access,
            allow_peer_unlisted_channel_import, landing_page, name, allow_other_browsers_to_connect, subset_of_users_device, extra_settings)
        VALUES (1, 1, 'en', $facility, 1, 1, 0, 'sign-in', 'sandbox', 0, 0,
            '{"allow_download_on_metered_connection": false, "enable_automatic_download": true, "allow_learner_download_resources": false, "set_limit_for_autodownload": false, "limit_for_autodownload": 0}')
        """, ("$facility", facilityId));

    public string InsertUser(string datasetId, string facilityId, string sourceId, string username, string fullName, string passwordHash,
        string gender, string birthYear, string identifier, DateTimeOffset dateJoined)
    {
        var identity = MorangoId.ForUser(datasetId, sourceId);
        rows.InsertUser(identity, datasetId, facilityId, username, fullName, passwordHash, gender, birthYear, identifier,
            KolibriTimestamp.Format(dateJoined, timeZone));
        return identity.Id;
    }

    public void InsertRole(string datasetId, string userId, string collectionId, string kind) =>
        rows.InsertRole(MorangoId.ForRole(datasetId, userId, collectionId, kind), datasetId, userId, collectionId, kind);

    public void InsertMembership(string datasetId, string userId, string collectionId) =>
        rows.InsertMembership(MorangoId.ForMembership(datasetId, userId, collectionId), datasetId, userId, collectionId);

    public void InsertDevicePermissions(string userId, bool superuser) => Run(
        "INSERT INTO device_devicepermissions (user_id, is_superuser, can_manage_content) VALUES ($user, $super, $super)",
        ("$user", userId), ("$super", superuser));

    /// <summary>A channel as Kolibri imports it: its metadata row and every content node, available on the device.</summary>
    public void InsertChannel(SampleChannel channel, int treeId)
    {
        Run("""
            INSERT INTO content_channelmetadata (id, name, description, author, version, thumbnail, last_updated, min_schema_version, root_id,
                published_size, total_resource_count, "order", tagline, partial, public)
            VALUES ($id, $name, $description, 'KolibriFacility sandbox', 1, '', NULL, '1', $id, 0, $resources, $order, NULL, 0, 0)
            """, ("$id", channel.Id), ("$name", channel.Name), ("$description", channel.Description),
            ("$resources", channel.Resources.Count()), ("$order", treeId));
        using var node = Prepare("""
            INSERT INTO content_contentnode (id, title, content_id, channel_id, description, sort_order, license_owner, author, kind, available,
                lft, tree_id, level, lang_id, license_description, license_name, coach_content, num_coach_contents, on_device_resources, options,
                accessibility_labels, categories, duration, grade_levels, learner_needs, learning_activities, resource_types,
                accessibility_labels_bitmask_0, categories_bitmask_0, grade_levels_bitmask_0, learner_needs_bitmask_0, learning_activities_bitmask_0,
                ancestors, admin_imported, rght, parent_id)
            VALUES ($id, $title, $content, $channel, '', $sort, '', '', $kind, 1, $lft, $tree, $level, NULL, NULL, NULL, 0, 0, $onDevice, '{}',
                NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0, 0, $ancestors, 1, $rght, $parent)
            """, "$id", "$title", "$content", "$channel", "$sort", "$kind", "$lft", "$tree", "$level", "$onDevice", "$ancestors", "$rght", "$parent");
        foreach (var n in channel.Nodes)
        {
            Bind(node, n.Id, n.Title, n.ContentId, n.ChannelId, n.Lft, n.Kind, n.Lft, treeId, n.Level, n.Kind == SampleContent.Topic ? 0 : 1,
                n.Ancestors, n.Rght, n.ParentId);
            node.ExecuteNonQuery();
        }
    }

    public void InsertSessionLog(MorangoIdentity identity, string datasetId, string userId, SampleNode resource, SampleSession session)
    {
        sessionLogCommand ??= Prepare("""
            INSERT INTO logger_contentsessionlog (id, _morango_dirty_bit, _morango_source_id, _morango_partition, content_id, start_timestamp,
                end_timestamp, time_spent, progress, kind, extra_fields, dataset_id, user_id, visitor_id, channel_id)
            VALUES ($id, 1, $source, $partition, $content, $start, $end, $time, $progress, $kind, '{}', $dataset, $user, NULL, $channel)
            """, "$id", "$source", "$partition", "$content", "$start", "$end", "$time", "$progress", "$kind", "$dataset", "$user", "$channel");
        Bind(sessionLogCommand, identity.Id, identity.SourceId, identity.Partition, resource.ContentId, KolibriTimestamp.Format(session.Start, timeZone),
            KolibriTimestamp.Format(session.End, timeZone), session.TimeSpent, session.Progress, resource.Kind, datasetId, userId, resource.ChannelId);
        sessionLogCommand.ExecuteNonQuery();
    }

    public void InsertSummaryLog(string datasetId, string userId, SampleNode resource, SampleSummary summary)
    {
        var identity = MorangoId.ForContentSummaryLog(datasetId, userId, resource.ContentId);
        summaryLogCommand ??= Prepare("""
            INSERT INTO logger_contentsummarylog (id, _morango_dirty_bit, _morango_source_id, _morango_partition, content_id, start_timestamp,
                end_timestamp, completion_timestamp, time_spent, progress, kind, extra_fields, dataset_id, user_id, channel_id)
            VALUES ($id, 1, $source, $partition, $content, $start, $end, $completed, $time, $progress, $kind, '{}', $dataset, $user, $channel)
            """, "$id", "$source", "$partition", "$content", "$start", "$end", "$completed", "$time", "$progress", "$kind", "$dataset", "$user", "$channel");
        Bind(summaryLogCommand, identity.Id, identity.SourceId, identity.Partition, resource.ContentId, KolibriTimestamp.Format(summary.Start, timeZone),
            KolibriTimestamp.Format(summary.End, timeZone), summary.Completed is { } done ? KolibriTimestamp.Format(done, timeZone) : null,
            summary.TimeSpent, summary.Progress, resource.Kind, datasetId, userId, resource.ChannelId);
        summaryLogCommand.ExecuteNonQuery();
    }

    public void Dispose()
    {
        rows.Dispose();
        sessionLogCommand?.Dispose();
        summaryLogCommand?.Dispose();
    }

    private DbCommand Prepare(string sql, params string[] parameters) => rows.Prepare(sql, parameters);

    private static void Bind(DbCommand command, params object?[] values) => KolibriRowWriter.Bind(command, values);

    private void Run(string sql, params (string Name, object? Value)[] parameters) => rows.Execute(sql, parameters);
}
