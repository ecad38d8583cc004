using System.Management.Automation;
using System.Security;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Lets a SecureString parameter also take a plain string (scripts that read a token from a vault or a file).
/// The value is never part of any message.
/// </summary>
public sealed class SecureStringArgumentAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject ps ? ps.BaseObject : inputData;
        switch (value)
        {
            case null:
                return null;
            case SecureString secure:
                return secure;
            case string text:
                var converted = new SecureString();
                foreach (var c in text)
                {
                    converted.AppendChar(c);
                }

                converted.MakeReadOnly();
                return converted;
            default:
                throw new ArgumentTransformationMetadataException(
                    $"Expected a SecureString (for example from Read-Host -AsSecureString) or a string, not a {value.GetType().Name}.");
        }
    }
}
