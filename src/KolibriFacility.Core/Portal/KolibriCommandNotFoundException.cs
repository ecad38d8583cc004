namespace KolibriFacility.Core.Portal;

/// <summary>Kolibri's command could not be found or started; the message says how to point the module at it.</summary>
public sealed class KolibriCommandNotFoundException(string message) : Exception(message);
