using KolibriFacility.Core.Import;
using KolibriFacility.Core.UsersCsv;
using KolibriFacility.Core.Users;
using static KolibriFacility.Core.Tests.Import.UsersCsvText;

namespace KolibriFacility.Core.Tests.Import;

/// <summary>Headers as Kolibri writes them in any language, bare machine names, and the header errors.</summary>
public sealed class UsersCsvHeaderTests
{
    private const string Spanish = "ID de la base de datos (UUID),Nombre de usuario (USERNAME),Contraseña (PASSWORD),Nombre completo (FULL_NAME),Tipo de usuario (USER_TYPE),Identificador (IDENTIFIER),Año de nacimiento (BIRTH_YEAR),Género (GENDER),Inscrito como estudiante (ENROLLED_IN),Asignado como tutor (ASSIGNED_TO)";
    private const string French = "ID de la base de données (UUID),Nom d'utilisateur (USERNAME),Mot de passe (PASSWORD),Nom complet (FULL_NAME),Type d'utilisateur (USER_TYPE),Identifiant (IDENTIFIER),Année de naissance (BIRTH_YEAR),Sexe (GENDER),Inscription de l'apprenant (ENROLLED_IN),Les devoirs de l'éducateur (ASSIGNED_TO)";

    [Theory]
    [InlineData(Spanish)]
    [InlineData(French)]
    [InlineData("Database ID (UUID),Username (USERNAME),Password (PASSWORD),Full name (FULL_NAME),User type (USER_TYPE),Identifier (IDENTIFIER),Birth year (BIRTH_YEAR),Gender (GENDER),Learner enrollment (ENROLLED_IN),Coach assignment (ASSIGNED_TO)")]
    [InlineData("uuid,Username,password,Full_Name,user_type,identifier,birth_year,gender,enrolled_in,assigned_to")]
    [InlineData(" UUID , USERNAME ,PASSWORD,FULL_NAME,USER_TYPE,IDENTIFIER,BIRTH_YEAR,GENDER,ENROLLED_IN,ASSIGNED_TO")]
    [InlineData("Nombre (de pila) del usuario (USERNAME),ID (UUID),Contraseña (password),Nombre completo (FULL_NAME),Tipo (USER_TYPE),Identificador (IDENTIFIER),Año (BIRTH_YEAR),Género (GENDER),Inscrito (ENROLLED_IN),Asignado (ASSIGNED_TO)")]
    public void Labelled_headers_in_any_language_and_bare_names_in_any_case_are_recognised(string header)
    {
        var keys = header.Split(',').Select(h => h.Contains('(') ? h[(h.LastIndexOf('(') + 1)..h.LastIndexOf(')')] : h).Select(k => k.Trim().ToUpperInvariant()).ToArray();
        var values = new Dictionary<string, string>
        {
            ["UUID"] = "c041a750e2da866b1d0b2e05b4847aef", ["USERNAME"] = "ana", ["PASSWORD"] = "*", ["FULL_NAME"] = "Ana Pérez", ["USER_TYPE"] = "CLASS_COACH",
            ["IDENTIFIER"] = "X1", ["BIRTH_YEAR"] = "1990", ["GENDER"] = "FEMALE", ["ENROLLED_IN"] = "Clase A", ["ASSIGNED_TO"] = "Clase B",
        };
        var doc = Read(File(header, Line(keys.Select(k => values[k]).ToArray())));

        Assert.Empty(doc.Errors);
        Assert.Equal(keys, doc.Columns);
        Assert.Equal(header.Split(','), doc.Headers);
        var row = Assert.Single(doc.Rows);
        Assert.Equal("c041a750e2da866b1d0b2e05b4847aef", row.Uuid);
        Assert.Equal("ana", row.Username);
        Assert.Equal("Ana Pérez", row.FullName);
        Assert.Equal(Model.UserType.CLASS_COACH, row.UserType);
        Assert.Equal(["Clase A"], row.EnrolledIn);
        Assert.Equal(["Clase B"], row.AssignedTo);
    }

    [Fact]
    public void Missing_optional_columns_leave_their_attributes_null()
    {
        var doc = Read(File("FULL_NAME,USER_TYPE,PASSWORD,USERNAME", "Ann Lee,learner,pw,ann"));

        Assert.Empty(doc.Errors);
        Assert.Equal(["FULL_NAME", "USER_TYPE", "PASSWORD", "USERNAME"], doc.Columns);
        Assert.False(doc.HasColumn(UsersCsvFormat.Gender));
        var row = Assert.Single(doc.Rows);
        Assert.Null(row.Uuid);
        Assert.Null(row.Identifier);
        Assert.Null(row.BirthYear);
        Assert.Null(row.Gender);
        Assert.Null(row.EnrolledIn);
        Assert.Null(row.AssignedTo);
        Assert.Equal("ann", row.Username);
    }

    [Fact]
    public void Each_missing_required_column_is_a_header_error()
    {
        var doc = Read(File("Username (USERNAME),FULL_NAME,GENDER", "ann,Ann,"));

        Assert.Equal([ImportErrorIds.MissingColumn, ImportErrorIds.MissingColumn], doc.Errors.Select(e => e.ErrorId));
        Assert.Equal(["PASSWORD", "USER_TYPE"], doc.Errors.Select(e => e.Column));
        Assert.All(doc.Errors, e => Assert.Null(e.Row));
        Assert.All(doc.Errors, e => Assert.Equal(1, e.Line));
        Assert.True(doc.HasFileErrors);
        Assert.Empty(doc.Rows);
        Assert.Empty(doc.Rejected);
    }

    [Fact]
    public void Unknown_columns_are_one_error_naming_them_all()
    {
        var doc = Read(File("USERNAME,Notes,PASSWORD,FULL_NAME,USER_TYPE,Class (CLASS)", "ann,hi,pw,Ann,LEARNER,A"));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.UnknownColumn, error.ErrorId);
        Assert.Null(error.Row);
        Assert.Equal(1, error.Line);
        Assert.Equal("Notes, Class (CLASS)", error.Value);
        Assert.Contains("'Notes'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'Class (CLASS)'", error.Message, StringComparison.Ordinal);
        Assert.Empty(doc.Rows);
    }

    [Fact]
    public void Unknown_columns_can_be_ignored()
    {
        var doc = Read(File("USERNAME,Notes,PASSWORD,FULL_NAME,USER_TYPE", "ann,hi,pw,Ann,LEARNER", "bob,x,,Bob,LEARNER"), new UsersCsvReadOptions { IgnoreUnknownColumns = true });

        Assert.Equal(["USERNAME", "PASSWORD", "FULL_NAME", "USER_TYPE"], doc.Columns);
        Assert.Equal(["USERNAME", "Notes", "PASSWORD", "FULL_NAME", "USER_TYPE"], doc.Headers);
        Assert.Equal("ann", Assert.Single(doc.Rows).Username);
        var rejected = Assert.Single(doc.Rejected);
        Assert.Equal("x", rejected.Cells["Notes"]);
        Assert.Equal(ImportErrorIds.PasswordRequired, rejected.Errors.Single().ErrorId);
    }

    [Fact]
    public void Empty_header_cells_left_by_a_spreadsheet_are_unknown_columns()
    {
        var text = File("USERNAME,PASSWORD,FULL_NAME,USER_TYPE,,", "ann,pw,Ann,LEARNER,,");
        Assert.Equal(ImportErrorIds.UnknownColumn, Assert.Single(Read(text).Errors).ErrorId);

        var doc = Read(text, new UsersCsvReadOptions { IgnoreUnknownColumns = true });
        Assert.Empty(doc.Errors);
        Assert.Equal(["USERNAME", "PASSWORD", "FULL_NAME", "USER_TYPE", "", ""], doc.Headers);
        Assert.Single(doc.Rows);
    }

    [Fact]
    public void A_column_given_twice_is_a_duplicate_column()
    {
        var doc = Read(File("USERNAME,Nombre de usuario (USERNAME),PASSWORD,FULL_NAME,USER_TYPE", "a,b,pw,A,LEARNER"));

        var error = Assert.Single(doc.Errors);
        Assert.Equal(ImportErrorIds.DuplicateColumn, error.ErrorId);
        Assert.Equal("USERNAME", error.Column);
        Assert.Equal("USERNAME / Nombre de usuario (USERNAME)", error.Value);
        Assert.Empty(doc.Rows);
    }

    [Fact]
    public void An_errors_column_is_ignored()
    {
        var doc = Read(File("USERNAME,PASSWORD,FULL_NAME,USER_TYPE,ERRORS", "ann,pw,Ann,LEARNER,The password is required."));

        Assert.Empty(doc.Errors);
        Assert.Equal(["USERNAME", "PASSWORD", "FULL_NAME", "USER_TYPE"], doc.Columns);
        Assert.Single(doc.Rows);
    }

    [Fact]
    public void A_file_that_is_not_a_users_csv_gets_every_header_error()
    {
        var doc = Read(File("Name,Email", "Ann,ann@example.org"));
        Assert.Equal(4, doc.Errors.Count(e => e.ErrorId == ImportErrorIds.MissingColumn));
        Assert.Single(doc.Errors, e => e.ErrorId == ImportErrorIds.UnknownColumn);
    }
}
