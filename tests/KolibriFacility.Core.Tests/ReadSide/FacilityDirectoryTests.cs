using KolibriFacility.Core.Facilities;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.ReadSide;

public sealed class FacilityDirectoryTests : IDisposable
{
    private const string SecondId = "0123456789abcdef0123456789abcdef";
    private const string ThirdId = "fedcba9876543210fedcba9876543210";
    private readonly TempFolder folder = new();
    private readonly string path;

    public FacilityDirectoryTests()
    {
        path = folder.CopyFixtureDatabase();
    }

    public void Dispose() => folder.Dispose();

    private void AddFacility(string id, string name) =>
        DbFiles.Execute(path, """
            INSERT INTO kolibriauth_collection (id, _morango_dirty_bit, _morango_source_id, _morango_partition, name, kind, dataset_id, parent_id)
            VALUES ($id, 1, $id, $partition, $name, 'facility', $dataset, NULL)
            """, ("$id", id), ("$partition", KolibriSmall.DatasetId), ("$name", name), ("$dataset", KolibriSmall.DatasetId));

    private void ClearDefault() => DbFiles.Execute(path, "UPDATE device_devicesettings SET default_facility_id = NULL");

    [Fact]
    public void The_fixture_has_one_default_facility_with_its_counts()
    {
        using var db = KolibriDatabase.OpenRead(path);
        var facility = Assert.Single(new FacilityDirectory(db).GetFacilities());
        Assert.Equal(KolibriSmall.FacilityId, facility.Id);
        Assert.Equal(KolibriSmall.FacilityName, facility.Name);
        Assert.Equal(KolibriSmall.DatasetId, facility.DatasetId);
        Assert.True(facility.IsDefault);
        Assert.Equal(51, facility.UserCount);
        Assert.Equal(5, facility.ClassCount);
        Assert.False(facility.Registered);
        Assert.Equal(path, facility.Database);
    }

    [Fact]
    public void Resolve_takes_the_default_a_name_case_insensitively_or_an_id()
    {
        AddFacility(SecondId, "Second School");
        using var db = KolibriDatabase.OpenRead(path);
        var directory = new FacilityDirectory(db);
        Assert.Equal(KolibriSmall.FacilityId, directory.Resolve(null).Id);
        Assert.Equal(KolibriSmall.FacilityId, directory.Resolve("").Id);
        Assert.Equal(SecondId, directory.Resolve("second school").Id);
        Assert.Equal(SecondId, directory.Resolve(" Second School ").Id);
        Assert.Equal(SecondId, directory.Resolve(SecondId.ToUpperInvariant()).Id);
        Assert.Equal(KolibriSmall.FacilityId, directory.Resolve(KolibriSmall.FacilityId).Id);
        Assert.Equal(2, directory.GetFacilities().Count());
        Assert.Equal(0, directory.GetFacilities().Single(f => f.Id == SecondId).UserCount);
    }

    [Fact]
    public void An_unknown_facility_is_NotFound_and_lists_the_facilities_there_are()
    {
        using var db = KolibriDatabase.OpenRead(path);
        var ex = Assert.Throws<FacilitySelectionException>(() => new FacilityDirectory(db).Resolve("Nowhere"));
        Assert.Equal(FacilitySelectionProblem.NotFound, ex.Problem);
        Assert.Equal("Nowhere", ex.Requested);
        Assert.Contains($"'Demo Facility' ({KolibriSmall.FacilityId})", ex.Message);
    }

    [Fact]
    public void Several_facilities_and_no_default_is_NoDefault_listing_them_all()
    {
        AddFacility(SecondId, "Second School");
        ClearDefault();
        using var db = KolibriDatabase.OpenRead(path);
        var ex = Assert.Throws<FacilitySelectionException>(() => new FacilityDirectory(db).Resolve(null));
        Assert.Equal(FacilitySelectionProblem.NoDefault, ex.Problem);
        Assert.Contains("choose one of them", ex.Message); // which parameter to use is the PowerShell layer's to say
        Assert.Contains($"'Demo Facility' ({KolibriSmall.FacilityId})", ex.Message);
        Assert.Contains($"'Second School' ({SecondId})", ex.Message);
    }

    [Fact]
    public void One_facility_and_no_default_takes_that_facility_as_Kolibri_does()
    {
        ClearDefault();
        using var db = KolibriDatabase.OpenRead(path);
        var facility = new FacilityDirectory(db).Resolve(null);
        Assert.Equal(KolibriSmall.FacilityId, facility.Id);
        Assert.False(facility.IsDefault);
    }

    [Fact]
    public void Two_facilities_with_one_name_are_Ambiguous_and_need_the_id()
    {
        AddFacility(SecondId, "Twin");
        AddFacility(ThirdId, "twin");
        using var db = KolibriDatabase.OpenRead(path);
        var directory = new FacilityDirectory(db);
        var ex = Assert.Throws<FacilitySelectionException>(() => directory.Resolve("Twin"));
        Assert.Equal(FacilitySelectionProblem.Ambiguous, ex.Problem);
        Assert.Contains(SecondId, ex.Message);
        Assert.Contains(ThirdId, ex.Message);
        Assert.Contains("id", ex.Message);
        Assert.Equal(ThirdId, directory.Resolve(ThirdId).Id);
    }

    [Fact]
    public void A_database_without_facilities_is_NoFacility()
    {
        DbFiles.Execute(path, "UPDATE device_devicesettings SET default_facility_id = NULL");
        DbFiles.Execute(path, "UPDATE kolibriauth_collection SET kind = 'retired' WHERE kind = 'facility'");
        using var db = KolibriDatabase.OpenRead(path);
        var ex = Assert.Throws<FacilitySelectionException>(() => new FacilityDirectory(db).Resolve(null));
        Assert.Equal(FacilitySelectionProblem.NoFacility, ex.Problem);
        Assert.Contains("has no facility yet", ex.Message);
        Assert.DoesNotContain("New-FacilityDatabase", ex.Message);
    }

    [Fact]
    public void Classes_are_read_with_learner_and_coach_counts_sorted_by_name()
    {
        using var db = KolibriDatabase.OpenRead(path);
        var directory = new FacilityDirectory(db);
        var classes = directory.GetClasses(directory.Resolve(null)).ToList();
        Assert.Equal(KolibriSmall.Classes.Select(c => c.Name), classes.Select(c => c.Name));
        foreach (var (expected, actual) in KolibriSmall.Classes.Zip(classes))
        {
            Assert.Equal(expected.Id, actual.Id);
            Assert.Equal(expected.Learners, actual.LearnerCount);
            Assert.Equal(expected.Coaches, actual.CoachCount);
            Assert.Equal(KolibriSmall.FacilityId, actual.FacilityId);
            Assert.Equal(KolibriSmall.FacilityName, actual.Facility);
        }
    }
}
