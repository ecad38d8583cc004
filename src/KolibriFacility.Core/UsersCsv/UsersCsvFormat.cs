using KolibriFacility.Core.IO;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>The columns of Kolibri's users CSV (bulkexportusers / bulkimportusers), in Kolibri's order.</summary>
public static class UsersCsvFormat
{
    /// <summary>Kolibri's default file name of the users export: <c>{facility}_{id[:4]}_users.csv</c>, made safe for any file system.</summary>
    public static string DefaultFileName(string facilityName, string facilityId) =>
        FileNames.Safe(facilityName, $"_{facilityId[..Math.Min(4, facilityId.Length)]}_users.csv");

    public const string Uuid = "UUID";
    public const string Username = "USERNAME";
    public const string Password = "PASSWORD";
    public const string FullName = "FULL_NAME";
    public const string UserType = "USER_TYPE";
    public const string Identifier = "IDENTIFIER";
    public const string BirthYear = "BIRTH_YEAR";
    public const string Gender = "GENDER";
    public const string EnrolledIn = "ENROLLED_IN";
    public const string AssignedTo = "ASSIGNED_TO";

    public static readonly string[] Columns = [Uuid, Username, Password, FullName, UserType, Identifier, BirthYear, Gender, EnrolledIn, AssignedTo];

    /// <summary>English labels as Kolibri writes them: "Label (MACHINE_NAME)".</summary>
    public static readonly IReadOnlyDictionary<string, string> EnglishLabels = new Dictionary<string, string>
    {
        [Uuid] = "Database ID",
        [Username] = "Username",
        [Password] = "Password",
        [FullName] = "Full name",
        [UserType] = "User type",
        [Identifier] = "Identifier",
        [BirthYear] = "Birth year",
        [Gender] = "Gender",
        [EnrolledIn] = "Learner enrollment",
        [AssignedTo] = "Coach assignment",
    };

    public static string[] EnglishHeader() => Columns.Select(c => $"{EnglishLabels[c]} ({c})").ToArray();

    /// <summary>The password cell Kolibri exports: the importer reads it as "keep the current password".</summary>
    public const string KeepPassword = "*";
}
