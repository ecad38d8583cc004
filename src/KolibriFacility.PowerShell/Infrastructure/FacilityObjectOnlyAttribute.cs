using System.Management.Automation;
using KolibriFacility.Core.Model;

namespace KolibriFacility.PowerShell.Infrastructure;

/// <summary>
/// Lets a parameter of type Facility take only real Facility objects. Without it PowerShell would build a Facility
/// from any property bag (a row of Import-Csv), and the row would bind there instead of to its class name.
/// </summary>
public sealed class FacilityObjectOnlyAttribute : ArgumentTransformationAttribute
{
    // Not convertible to Facility, so the binder moves on to the other parameters that take pipeline input.
    private static readonly object NotAFacility = new();

    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData) =>
        (inputData is PSObject ps ? ps.BaseObject : inputData) is Facility ? inputData : NotAFacility;
}
