namespace KolibriFacility.Core.Import;

/// <summary>The facility changed between planning and applying; the message names what changed. Nothing was written.</summary>
public sealed class ImportConflictException(string message) : Exception(message);
