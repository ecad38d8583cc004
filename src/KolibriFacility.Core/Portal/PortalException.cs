namespace KolibriFacility.Core.Portal;

/// <summary>What went wrong talking to the Kolibri Data Portal (or preparing to).</summary>
public enum PortalProblem
{
    /// <summary>The portal could not be reached (no network, DNS, refused, timed out).</summary>
    Offline,
    /// <summary>INVALID_KDP_REGISTRATION_TOKEN, or the portal refused the token.</summary>
    InvalidToken,
    /// <summary>ALREADY_REGISTERED_FOR_COMMUNITY: the facility is already registered with a project.</summary>
    AlreadyRegistered,
    /// <summary>FACILITY_DOES_NOT_EXIST: the portal has no data for the facility yet (sync first).</summary>
    FacilityDoesNotExist,
    /// <summary>This device does not own the facility's root certificate (it holds a copy of another device's facility).</summary>
    NoOwnedCertificate,
    /// <summary>The facility's certificates in morango_certificate do not verify.</summary>
    BrokenCertificateChain,
    /// <summary>Any other portal error or an answer we do not understand.</summary>
    PortalError,
}

public sealed class PortalException : Exception
{
    public PortalException(PortalProblem problem, string message, string? errorId = null, int? statusCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Problem = problem;
        ErrorId = errorId;
        StatusCode = statusCode;
    }

    public PortalProblem Problem { get; }

    /// <summary>The portal's own error id (e.g. INVALID_KDP_REGISTRATION_TOKEN), when it sent one.</summary>
    public string? ErrorId { get; }

    /// <summary>The HTTP status of the portal's answer, when there was one.</summary>
    public int? StatusCode { get; }
}
