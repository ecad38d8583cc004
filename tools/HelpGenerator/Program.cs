using KolibriFacility.HelpGenerator;

// Usage: KolibriFacility.HelpGenerator <cmdlet assembly> <file listing referenced assemblies, one a line> <markdown folder> <output MAML file>
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: KolibriFacility.HelpGenerator <assembly> <references file> <markdown folder> <output .dll-Help.xml>");
    return 2;
}

try
{
    var references = File.ReadAllLines(args[1]).Where(l => l.Trim().Length > 0);
    HelpGenerator.Generate(args[0], references, args[2], args[3]);
    return 0;
}
catch (HelpException e)
{
    // One line per mistake, in MSBuild's error format, so the build lists them all and fails.
    foreach (var error in e.Errors)
    {
        Console.Error.WriteLine(error);
    }

    return 1;
}
