using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
using KolibriFacility.Core.UsersCsv;

namespace KolibriFacility.Core.Model;

/// <summary>
/// The names of a user's classes: a read-only list of strings (so PowerShell's <c>-contains</c>, <c>foreach</c> and
/// ConvertTo-Json see the names) whose text is the cell Kolibri's users CSV writes ("Class A,Class B"), so that
/// Export-Csv writes the names and not "System.String[]".
/// </summary>
[CollectionBuilder(typeof(ClassNames), nameof(Create))]
public sealed class ClassNames : ReadOnlyCollection<string>
{
    public ClassNames(IList<string> names)
        : base(names)
    {
    }

    public static ClassNames None { get; } = new([]);

    public static ClassNames Create(ReadOnlySpan<string> names) => names.IsEmpty ? None : new(names.ToArray());

    public override string ToString() => ClassList.Join(this);
}
