using KolibriFacility.Core.Ids;
using KolibriFacility.Core.Security;

namespace KolibriFacility.Core.Tests;

public sealed class IdAndPasswordTests
{
    private const string Dataset = "33ca524085c06781f21df029e3bd0a02";

    [Fact]
    public void User_id_and_partition_match_the_interop_test_vector()
    {
        var identity = MorangoId.ForUser(Dataset, "911a7e8f0ad44c6b9b6757249039ca78");
        Assert.Equal("f4d4f78cd2d23b7dc5cbfd5eaa3bd6bc", identity.Id);
        Assert.Equal("33ca524085c06781f21df029e3bd0a02:user-ro:f4d4f78cd2d23b7dc5cbfd5eaa3bd6bc", identity.Partition);
    }

    [Fact]
    public void Collection_membership_role_and_summary_log_ids_match_the_interop_test_vectors()
    {
        Assert.Equal("d75cec9798e731cf071b5fa20c8ee4ed", MorangoId.ForCollection("facility", Dataset, "66dce66c16d446ea9780d9ff021b4e69").Id);
        Assert.Equal("e9f20956e5346ca0410f061c0014d6fa", MorangoId.ForCollection("classroom", Dataset, "fdec8d213eaf4f26a097471bae13d72c").Id);
        Assert.Equal("71c962c6a39cc5ffd88b4a5cd5674324", MorangoId.ForMembership(Dataset, "f4d4f78cd2d23b7dc5cbfd5eaa3bd6bc", "e9f20956e5346ca0410f061c0014d6fa").Id);
        Assert.Equal("bf26970258bf7956d5cd8e677c227763", MorangoId.ForRole(Dataset, "ec7cd02d728b8299429cf77b6d58763e", "d75cec9798e731cf071b5fa20c8ee4ed", "admin").Id);
        Assert.Equal("be03361eb7e3eba97532be1585214169", MorangoId.ForContentSummaryLog(Dataset, "f4d4f78cd2d23b7dc5cbfd5eaa3bd6bc", new string('a', 32)).Id);
    }

    [Fact]
    public void Password_hashes_match_the_django_test_vectors()
    {
        Assert.Equal("pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$kT00rBN1C/hXQnKf7XB845q+EPuI5j05Kj9jtxM+kJ4=", DjangoPassword.Hash("secret1", "abcdefghijklmnopqrstuv"));
        Assert.Equal("pbkdf2_sha256$36000$abcdefghijkl$guM3Yl7IBXgXOFoVu+bxH9THxIUhrRS0qX+EbmEa+HY=", DjangoPassword.Hash("secret1", "abcdefghijkl", 36000));
    }

    [Fact]
    public void New_hashes_have_djangos_shape_and_verify()
    {
        var hash = DjangoPassword.Hash("pass123");
        var parts = hash.Split('$');
        Assert.Equal("pbkdf2_sha256", parts[0]);
        Assert.Equal("260000", parts[1]);
        Assert.Matches("^[a-zA-Z0-9]{22}$", parts[2]);
        Assert.Equal(44, parts[3].Length);
        Assert.True(DjangoPassword.Verify("pass123", hash));
        Assert.False(DjangoPassword.Verify("pass124", hash));
        Assert.False(DjangoPassword.Verify("x", DjangoPassword.NotSpecified));
    }
}
