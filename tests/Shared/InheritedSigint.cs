using System.Runtime.InteropServices;

namespace KolibriFacility.Tests;

/// <summary>
/// A test run started from a background job (`cmd &`, nohup) inherits SIGINT as ignored, and a child started with it
/// ignored (.NET and Python alike) installs no handler for it: the stand-in would never see the runner's interrupt and
/// would be killed after the grace period. The tests that interrupt a child call <see cref="StopIgnoring"/> first, so
/// the child starts as it does from a terminal. Only an ignored disposition is changed; a handler .NET installed stays.
/// </summary>
public static class InheritedSigint
{
    private const int Sigint = 2;
    private static readonly IntPtr Ignore = 1; // SIG_IGN
    private static readonly IntPtr Default = 0; // SIG_DFL

    public static void StopIgnoring()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // struct sigaction starts with the handler on Linux and macOS; 256 bytes hold the whole struct on either.
        var current = Marshal.AllocHGlobal(256);
        try
        {
            if (QueryDisposition(Sigint, IntPtr.Zero, current) == 0 && Marshal.ReadIntPtr(current) == Ignore)
            {
                _ = SetDisposition(Sigint, Default);
            }
        }
        finally
        {
            Marshal.FreeHGlobal(current);
        }
    }

    [DllImport("libc", EntryPoint = "sigaction")]
    private static extern int QueryDisposition(int signal, IntPtr newAction, IntPtr oldAction);

    [DllImport("libc", EntryPoint = "signal")]
    private static extern IntPtr SetDisposition(int signal, IntPtr disposition);
}
