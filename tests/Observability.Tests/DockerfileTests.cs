using System.Text.Json;
using System.Text.RegularExpressions;
using RelayExporter.Configuration;
using RelayExporter.Hosting;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// The images cannot be built here (no Docker engine), so the Dockerfiles are checked against what they assume: the
/// build context leaves the host's build output out, the default command names a configuration the image contains and
/// that loads, the HEALTHCHECK asks the binary on the port it serves, and the image says what it is.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string[] Dockerfiles = [Path.Combine("deploy", "exporter", "Dockerfile"), Path.Combine("deploy", "simulator", "Dockerfile")];
    private static readonly IReadOnlyList<Instruction> Exporter = Parse(Path.Combine("deploy", "exporter", "Dockerfile"));

    private sealed record Instruction(string Name, string Arguments, int Stage);

    /// <summary>The Dockerfile's instructions, continuation lines joined, comments dropped, numbered by build stage.</summary>
    private static List<Instruction> Parse(string path)
    {
        var instructions = new List<Instruction>();
        var stage = -1;
        var pending = "";
        foreach (var raw in File.ReadAllLines(RepositoryPaths.File(path)))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0)) continue;
            if (line.EndsWith('\\')) { pending += line[..^1] + " "; continue; }
            line = pending + line;
            pending = "";
            var space = line.IndexOf(' ');
            var name = line[..space].ToUpperInvariant();
            if (name == "FROM") stage++;
            instructions.Add(new Instruction(name, line[(space + 1)..].Trim(), stage));
        }
        return instructions;
    }

    private static IEnumerable<Instruction> RuntimeStage(IReadOnlyList<Instruction> dockerfile) =>
        dockerfile.Where(i => i.Stage == dockerfile.Max(d => d.Stage));

    private static string[] JsonArray(string arguments) => JsonSerializer.Deserialize<string[]>(arguments)!;

    private static string Flag(string[] command, string flag) =>
        Array.IndexOf(command, flag) is var index and >= 0 ? command[index + 1] : throw new Xunit.Sdk.XunitException($"no {flag} in [{string.Join(", ", command)}]");

    private static string Runtime(string instruction) => RuntimeStage(Exporter).Single(i => i.Name == instruction).Arguments;

    [Fact]
    public void The_build_context_leaves_out_the_hosts_build_output_and_keeps_every_copied_source()
    {
        var patterns = File.ReadAllLines(RepositoryPaths.File(".dockerignore"))
            .Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        // obj/ holds this machine's absolute paths (project.assets.json): copied in, it breaks the restore in the image.
        Assert.Contains("**/obj", patterns);
        Assert.Contains("**/bin", patterns);
        Assert.Contains(".git", patterns);

        foreach (var dockerfile in Dockerfiles)
        {
            var sources = Parse(dockerfile).Where(i => i.Name == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
                .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)[..^1]).ToList();
            Assert.NotEmpty(sources);
            foreach (var source in sources)
            {
                var ignoredBy = patterns.FirstOrDefault(p => Ignores(p, source.TrimEnd('/')));
                Assert.True(ignoredBy is null, $"{dockerfile}: COPY {source} is left out of the context by .dockerignore's {ignoredBy}");
            }
        }
    }

    /// <summary>Docker's matching for the patterns used here: <c>**/name</c> anywhere, otherwise from the context root.</summary>
    private static bool Ignores(string pattern, string path)
    {
        var segments = path.Split('/');
        if (pattern.StartsWith("**/", StringComparison.Ordinal))
            return segments.Any(s => FileNamePattern(pattern[3..]).IsMatch(s));
        return FileNamePattern(pattern).IsMatch(segments[0]) || path == pattern || path.StartsWith(pattern + "/", StringComparison.Ordinal);
    }

    private static Regex FileNamePattern(string glob) => new("^" + Regex.Escape(glob).Replace(@"\*", "[^/]*") + "$");

    [Fact]
    public void The_default_command_names_a_configuration_the_image_contains_and_that_loads_without_secrets()
    {
        var command = JsonArray(Runtime("CMD"));
        var configPath = Flag(command, "--config.file");
        var copy = RuntimeStage(Exporter).Where(i => i.Name == "COPY" && !i.Arguments.StartsWith("--from", StringComparison.Ordinal))
            .Select(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .SingleOrDefault(parts => parts[^1] == configPath);
        Assert.True(copy is not null, $"the CMD reads {configPath}, which no COPY of the runtime stage puts in the image");

        // Loads as the exporter loads it: no environment variable or mounted file is needed to start.
        var options = ConfigLoader.Load(RepositoryPaths.File(copy[0]));
        Assert.NotEmpty(options.Targets);
        Assert.All(options.Targets, t => Assert.Null(t.Credential));
    }

    [Fact]
    public void The_healthcheck_asks_the_binary_itself_on_the_port_the_command_serves_and_exposes()
    {
        var entrypoint = JsonArray(Runtime("ENTRYPOINT")).Single();
        var listen = Flag(JsonArray(Runtime("CMD")), "--web.listen-address");
        Assert.Equal(listen.Split(':')[^1], Runtime("EXPOSE"));

        var healthcheck = HealthcheckCommand().Match(Runtime("HEALTHCHECK"));
        Assert.True(healthcheck.Success, $"HEALTHCHECK is not an exec-form CMD: {Runtime("HEALTHCHECK")}");
        var check = JsonArray(healthcheck.Groups["command"].Value);
        // runtime-deps has no curl or wget: only the exporter's own subcommand can ask.
        Assert.Equal([entrypoint, HealthCheckCommand.Name, "--web.listen-address", listen], check);
        Assert.Matches(@"--timeout=\d+s", Runtime("HEALTHCHECK"));
    }

    [Fact]
    public void The_image_runs_as_a_numeric_non_root_user_and_carries_the_OCI_labels()
    {
        // Kubernetes verifies runAsNonRoot only against a numeric user.
        Assert.True(int.TryParse(Runtime("USER"), out var uid) && uid > 0, $"USER {Runtime("USER")} is not a numeric non-root user");

        var labels = OciLabel().Matches(Runtime("LABEL")).ToDictionary(m => m.Groups["key"].Value, m => m.Groups["value"].Value);
        Assert.Subset(labels.Keys.ToHashSet(), new HashSet<string> { "title", "description", "version", "revision" });
        Assert.Equal("relay-exporter", labels["title"]);

        // The version label defaults to the project's version; the revision label and the binary's revision are the same build argument.
        var projectVersion = Regex.Match(File.ReadAllText(RepositoryPaths.File("src", "Exporter", "Exporter.csproj")), "<Version>(.+)</Version>").Groups[1].Value;
        Assert.Equal("$VERSION", labels["version"]);
        Assert.Contains(RuntimeStage(Exporter), i => i.Name == "ARG" && i.Arguments == $"VERSION={projectVersion}");
        Assert.Equal("$REVISION", labels["revision"]);
        Assert.Contains(Exporter, i => i.Name == "RUN" && i.Arguments.Contains("dotnet publish") && i.Arguments.Contains("-p:SourceRevisionId=$REVISION"));
    }

    [GeneratedRegex(@"CMD\s+(?<command>\[.*\])\s*$")]
    private static partial Regex HealthcheckCommand();

    [GeneratedRegex(@"org\.opencontainers\.image\.(?<key>[a-z]+)=""(?<value>[^""]*)""")]
    private static partial Regex OciLabel();
}
