using System.Text;
using KolibriFacility.Core.Csv;
using KolibriFacility.Core.Model;

namespace KolibriFacility.Core.UsersCsv;

/// <summary>
/// Writes users in the exact format of Kolibri's bulkexportusers (docs/Kolibri.md, CSV file format, Export header and Export rows): English labelled header,
/// admins left out, '*' passwords, NOT_SPECIFIED/DEFERRED as empty cells, class names joined with ',',
/// formula-injection guard, one row per username.
/// </summary>
public sealed class UsersCsvExporter
{
    public bool IncludeAdmins { get; init; }

    /// <summary>Writes header and rows; returns the number of user rows written.</summary>
    public int Write(TextWriter output, IEnumerable<FacilityUser> users, CancellationToken cancellation = default)
    {
        using var csv = new KolibriCsvWriter(output);
        csv.WriteRow(UsersCsvFormat.EnglishHeader());
        var written = 0;
        foreach (var row in Rows(users))
        {
            cancellation.ThrowIfCancellationRequested();
            csv.WriteRow(row);
            written++;
        }

        return written;
    }

    public int Write(Stream output, Encoding encoding, IEnumerable<FacilityUser> users, CancellationToken cancellation = default)
    {
        using var writer = new StreamWriter(output, encoding, 1 << 16, leaveOpen: true);
        var written = Write(writer, users, cancellation);
        writer.Flush();
        return written;
    }

    public IEnumerable<string[]> Rows(IEnumerable<FacilityUser> users)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var user in users)
        {
            if ((user.IsAdmin && !IncludeAdmins) || !seen.Add(user.Username))
            {
                continue;
            }

            yield return ToRow(user);
        }
    }

    public static string[] ToRow(FacilityUser user) =>
    [
        Cell(user.Id),
        Cell(user.Username),
        UsersCsvFormat.KeepPassword,
        Cell(user.FullName),
        user.UserType,
        Cell(user.Identifier),
        Cell(Demographic(user.BirthYear)),
        Cell(Demographic(user.Gender)),
        Cell(ClassList.Join(user.EnrolledIn)),
        Cell(ClassList.Join(user.AssignedTo)),
    ];

    private static string Demographic(string value) =>
        value is Demographics.NotSpecified or Demographics.Deferred ? "" : value;

    private static string Cell(string value) => CsvInjection.Sanitize(value);
}
