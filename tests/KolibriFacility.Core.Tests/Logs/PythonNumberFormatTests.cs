using System.Globalization;
using KolibriFacility.Core.Logs;
using KolibriFacility.Core.Storage;
using KolibriFacility.Tests;

namespace KolibriFacility.Core.Tests.Logs;

public sealed class PythonNumberFormatTests
{
    // Expected values printed by CPython 3: "{:.1f}".format(round(x, 1)).
    [Theory]
    [InlineData(0.25, "0.2")]
    [InlineData(0.15, "0.1")]
    [InlineData(0.35, "0.3")]
    [InlineData(0.75, "0.8")]
    [InlineData(0.05, "0.1")]
    [InlineData(59.96, "60.0")]
    [InlineData(12.345, "12.3")]
    [InlineData(2.675, "2.7")]
    [InlineData(-0.04, "-0.0")]
    [InlineData(1e-300, "0.0")]
    [InlineData(0.0, "0.0")]
    [InlineData(123456789.25, "123456789.2")]
    [InlineData(7.040583063586633, "7.0")]
    public void Time_spent_rounds_the_exact_binary_value_half_to_even(double value, string expected) =>
        Assert.Equal(expected, PythonNumberFormat.OneDecimal(value));

    // Expected values printed by CPython 3: "{:.4f}".format(math.floor(x * 10000.0) / 10000).
    [Theory]
    [InlineData(0.57, "0.5699")]
    [InlineData(1.0, "1.0000")]
    [InlineData(0.99999, "0.9999")]
    [InlineData(0.0, "0.0000")]
    [InlineData(-0.00001, "-0.0001")]
    [InlineData(1.01, "1.0100")]
    [InlineData(0.29, "0.2900")]
    [InlineData(0.3174296321763842, "0.3174")]
    public void Progress_is_floored_to_four_decimals_with_pythons_double_arithmetic(double value, string expected) =>
        Assert.Equal(expected, PythonNumberFormat.FlooredFourDecimals(value));

    [Theory]
    [InlineData("logger_contentsessionlog", "logs-session.csv", 8, 9)]
    [InlineData("logger_contentsummarylog", "logs-summary.csv", 9, 10)]
    public void Every_value_of_the_fixture_formats_as_Kolibri_wrote_it(string table, string fixture, int timeColumn, int progressColumn)
    {
        using var folder = new TempFolder();
        using var database = KolibriDatabase.OpenRead(folder.CopyFixtureDatabase());
        using var command = database.Command($"SELECT time_spent, progress FROM {table} WHERE kind <> 'quiz' ORDER BY rowid");
        using var reader = command.ExecuteReader();
        var lines = File.ReadAllLines(TestPaths.Fixture(fixture)).Skip(1).ToList();
        var checkedRows = 0;
        foreach (var line in lines)
        {
            Assert.True(reader.Read());
            // Numbers are the last three cells before the kind; split from the right, titles may hold commas.
            var cells = line.Split(',');
            var fromEnd = cells.Length - (fixture.Contains("summary", StringComparison.Ordinal) ? 12 : 11);
            Assert.Equal(cells[timeColumn + fromEnd], PythonNumberFormat.OneDecimal(reader.GetDouble(0)));
            Assert.Equal(cells[progressColumn + fromEnd], PythonNumberFormat.FlooredFourDecimals(reader.GetDouble(1)));
            checkedRows++;
        }

        Assert.False(reader.Read());
        Assert.True(checkedRows > 700, checkedRows.ToString(CultureInfo.InvariantCulture));
    }
}
