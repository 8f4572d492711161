using System.Text.RegularExpressions;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Architecture;

/// <summary>
/// The exporter's top-level folders are layers: each uses only the folders below it, so that any part can be read,
/// tested and changed knowing only what lies under it. docs/architecture.md says what each folder holds.
/// </summary>
public partial class DependencyDirectionTests
{
    /// <summary>From the bottom up: a folder may use only the folders before it. Hosting, the composition root, is last.</summary>
    private static readonly string[] Order =
    [
        "Outcomes", "Configuration", "Web", "Sharding", "Protocols", "Probing", "Circuits", "Health", "Spending",
        "Telemetry", "Status", "Routing", "OnDemand", "Operations", "Hosting",
    ];

    private const string CompositionRoot = "Hosting";
    private const string EntryPoint = "Program.cs";

    private static readonly string SourceRoot = RepositoryPaths.File("src", "Exporter");

    [Fact]
    public void Every_folder_uses_only_the_folders_before_it()
    {
        var backEdges = References()
            .Where(r => r.To != CompositionRoot && Array.IndexOf(Order, r.From) is var from && from >= 0 && Array.IndexOf(Order, r.To) > from)
            .Select(r => r.ToString())
            .ToList();

        Assert.True(backEdges.Count == 0, $"{backEdges.Count} references go up the order ({string.Join(" → ", Order)}):\n{string.Join("\n", backEdges)}");
    }

    [Fact]
    public void Nothing_but_the_entry_point_uses_the_composition_root()
    {
        var users = References().Where(r => r.To == CompositionRoot && r.From != CompositionRoot && r.File != EntryPoint).Select(r => r.ToString()).ToList();

        Assert.True(users.Count == 0, $"only {EntryPoint} may use {CompositionRoot}, the composition root:\n{string.Join("\n", users)}");
    }

    [Fact]
    public void Every_file_but_the_entry_point_is_in_a_folder_and_its_namespace_follows_the_folder()
    {
        var misplaced = SourceFiles()
            .Where(f => f != EntryPoint)
            .Select(f => (File: f, Declared: NamespaceDeclaration().Match(Code(f)).Groups["name"].Value, Expected: ExpectedNamespace(f)))
            .Where(f => !f.File.Contains('/') || f.Declared != f.Expected)
            .Select(f => f.File.Contains('/')
                ? $"{f.File}: namespace '{f.Declared}', expected '{f.Expected}'"
                : $"{f.File}: in the root folder; only {EntryPoint} sits there, everything else in the folder of its layer")
            .ToList();

        Assert.True(misplaced.Count == 0, string.Join("\n", misplaced));
    }

    [Fact]
    public void Every_top_level_folder_has_its_place_in_the_order()
    {
        var folders = Directory.GetDirectories(SourceRoot).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj"))
            .Where(d => Directory.EnumerateFiles(Path.Combine(SourceRoot, d!), "*.cs", SearchOption.AllDirectories).Any()).ToList();

        var unplaced = folders.Except(Order).ToList();
        var gone = Order.Except(folders).ToList();

        Assert.True(unplaced.Count == 0, $"new folder(s) {string.Join(", ", unplaced)}: place each in the order here and in docs/architecture.md");
        Assert.True(gone.Count == 0, $"folder(s) {string.Join(", ", gone)} no longer exist: take them out of the order here and in docs/architecture.md");
    }

    [Fact]
    public void The_architecture_document_lists_the_folders_in_the_same_order()
    {
        var document = File.ReadAllText(RepositoryPaths.File("docs", "architecture.md"));
        // The folders' section only: other sections number their steps too.
        var section = document[document.IndexOf("## Folders and the rule between them", StringComparison.Ordinal)..];
        section = section[..(section.IndexOf("\n## ", 1, StringComparison.Ordinal) is var next and > 0 ? next : section.Length)];
        var documented = DocumentedLayer().Matches(section).Select(m => m.Groups["folder"].Value);

        Assert.Equal(Order, documented);
    }

    [Fact]
    public void A_reference_is_found_in_every_form_it_takes()
    {
        var code = """
            using RelayExporter.Web;
            using static RelayExporter.Spending.ProbePricing;
            using Pricing = RelayExporter.Spending.ProbePricing;
            using global::RelayExporter.Health;

            namespace RelayExporter.Probing;

            // RelayExporter.Status in a comment is no reference; nor is "RelayExporter.Routing" in a string.
            public class Sample(RelayExporter.Circuits.CircuitBoard board)
            {
                private readonly bool _ = Protocols.ModelNames.IsSame("a", "b");
                private void Check(ExporterOptions options) => options.Health.Validate("health", null);
            }
            """;

        var found = FoldersReferencedBy(code, TypesByFolder()).Order();

        Assert.Equal(["Circuits", "Health", "Protocols", "Spending", "Web"], found);
    }

    private sealed record Reference(string File, string From, string To)
    {
        public override string ToString() => $"{File}: {From} → {To}";
    }

    private static List<Reference> References()
    {
        var types = TypesByFolder();
        return SourceFiles()
            .SelectMany(file => FoldersReferencedBy(Code(file), types).Select(to => new Reference(file, TopFolder(file), to)))
            .Where(r => r.To != r.From)
            .ToList();
    }

    /// <summary>
    /// The folders a file names: <c>using</c> (static, alias), <c>RelayExporter.X</c> written out anywhere in the code,
    /// and <c>X.Type</c>, which reaches a folder from any namespace of the exporter without a <c>using</c>.
    /// Comments and strings are left out: they name nothing the compiler resolves.
    /// </summary>
    private static IEnumerable<string> FoldersReferencedBy(string code, IReadOnlyDictionary<string, HashSet<string>> typesByFolder)
    {
        var text = WithoutCommentsAndStrings(code);
        text = NamespaceDeclaration().Replace(text, "");
        var folders = new HashSet<string>();
        foreach (Match match in Qualified().Matches(text)) folders.Add(match.Groups["folder"].Value);
        foreach (Match match in PartlyQualified().Matches(text))
        {
            var (folder, name) = (match.Groups["folder"].Value, match.Groups["name"].Value);
            // Options.Health.Validate is a property of that name, not the folder: only a name the folder declares counts.
            if (typesByFolder.TryGetValue(folder, out var names) && names.Contains(name)) folders.Add(folder);
        }
        return folders;
    }

    /// <summary>Every type and sub-namespace declared under each top-level folder.</summary>
    private static Dictionary<string, HashSet<string>> TypesByFolder()
    {
        var declared = new Dictionary<string, HashSet<string>>();
        foreach (var file in SourceFiles().Where(f => f.Contains('/')))
        {
            var names = declared.TryGetValue(TopFolder(file), out var existing) ? existing : declared[TopFolder(file)] = [];
            foreach (Match match in TypeDeclaration().Matches(WithoutCommentsAndStrings(Code(file)))) names.Add(match.Groups["name"].Value);
            foreach (var segment in Path.GetDirectoryName(file)!.Split('/').Skip(1)) names.Add(segment);
        }
        return declared;
    }

    private static string WithoutCommentsAndStrings(string code) => CommentOrString().Replace(code, m => m.Value.StartsWith('/') ? " " : "\"\"");

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SourceRoot, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string Code(string file) => File.ReadAllText(Path.Combine(SourceRoot, file));

    private static string TopFolder(string file) => file.Contains('/') ? file[..file.IndexOf('/')] : "";

    private static string ExpectedNamespace(string file) => string.Join('.', ["RelayExporter", .. Path.GetDirectoryName(file)!.Split('/')]);

    [GeneratedRegex(@"^\s*namespace\s+(?<name>[\w.]+)", RegexOptions.Multiline)]
    private static partial Regex NamespaceDeclaration();

    [GeneratedRegex(@"\bRelayExporter\s*\.\s*(?<folder>\w+)")]
    private static partial Regex Qualified();

    [GeneratedRegex(@"(?<![\w.]\s*)\b(?<folder>[A-Z]\w*)\s*\.\s*(?<name>[A-Z]\w*)")]
    private static partial Regex PartlyQualified();

    [GeneratedRegex(@"\b(?:class|struct|record|interface|enum|delegate\s+[\w<>?,\s\[\]]+?)\s+(?<name>[A-Z]\w*)")]
    private static partial Regex TypeDeclaration();

    // Comments, verbatim and raw strings, plain strings and characters; good enough for this code base's source.
    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""""""[\s\S]*?""""""|@""(?:[^""]|"""")*""|\$?""(?:\\.|[^""\\\n])*""|'(?:\\.|[^'\\\n])'", RegexOptions.Singleline)]
    private static partial Regex CommentOrString();

    // docs/architecture.md lists the folders as "1. `Outcomes` — ...".
    [GeneratedRegex(@"^\d+\.\s+`(?<folder>\w+)`", RegexOptions.Multiline)]
    private static partial Regex DocumentedLayer();
}
