namespace KolibriFacility.Core.Import;

public enum ImportAction
{
    Create,
    Update,
    Delete,
    Clear,
    Add,
    Remove,
}

public enum ImportTarget
{
    User,
    Class,
    Enrolment,
    CoachAssignment,
    Role,
}

/// <summary>One attribute of a user that changes. For PASSWORD both values are null: a plan never holds a password or a hash.</summary>
public sealed record FieldChange(string Field, string? OldValue, string? NewValue)
{
    public override string ToString() =>
        Field == "PASSWORD" ? "PASSWORD changed" : $"{Field} '{OldValue}' -> '{NewValue}'";
}

/// <summary>One change an import makes, in the order it is applied.</summary>
public sealed record ImportChange
{
    /// <summary>1-based, stable for a given database state, CSV and options (used by ImportApplyOptions.ExcludedChanges).</summary>
    public required int Id { get; init; }

    public required ImportAction Action { get; init; }

    public required ImportTarget Kind { get; init; }

    /// <summary>The username (users, enrolments, assignments, roles) or the class name (classes).</summary>
    public required string Target { get; init; }

    /// <summary>The CSV data row the change comes from, or null for deletions and class clears.</summary>
    public int? Row { get; init; }

    /// <summary>The user's database id; null for a user this import creates.</summary>
    public string? UserId { get; init; }

    public string? Username { get; init; }

    public string? ClassName { get; init; }

    /// <summary>The class's database id; null for a class this import creates.</summary>
    public string? ClassId { get; init; }

    /// <summary>For Role and CoachAssignment changes: kolibriauth_role.kind.</summary>
    public string? RoleKind { get; init; }

    public IReadOnlyList<FieldChange> Fields { get; init; } = [];

    /// <summary>For a class Clear: the users whose enrolments and coach assignments in the class are removed.</summary>
    public IReadOnlyList<string> AffectedUserIds { get; init; } = [];

    /// <summary>User deletes, class deletes and clears, and removals of enrolments, assignments and roles.</summary>
    public bool IsDestructive { get; init; }

    public required string Description { get; init; }

    public override string ToString() => Description;
}
