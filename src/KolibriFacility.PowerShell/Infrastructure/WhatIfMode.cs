using System.Management.Automation;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>Whether a command runs as a preview: its own -WhatIf, else $WhatIfPreference in its scope.</summary>
internal static class WhatIfMode
{
    public static bool IsOn(PSCmdlet cmdlet) =>
        cmdlet.MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(cmdlet.GetVariableValue("WhatIfPreference"));
}
