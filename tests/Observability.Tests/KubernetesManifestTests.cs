using System.Text;
using System.Text.RegularExpressions;
using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Observability.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// deploy/kubernetes/ without a cluster: the example overlay rendered by <c>kubectl kustomize</c>, then checked — every
/// ConfigMap, Secret and key the pods use exists and the configuration loads with them, images are pinned, the
/// PrometheusRules are alerting-rules/ and the dashboard ConfigMaps dashboards/, the probes ask the exporter's real
/// endpoints on its real port, and the shards add up.
/// </summary>
public sealed partial class KubernetesManifestTests
{
    private static readonly Lazy<Task<List<YamlMappingNode>>> Rendered = new(() => RenderAsync(Path.Combine("deploy", "kubernetes", "overlays", "example")));

    private static async Task<List<YamlMappingNode>> RenderAsync(string kustomization)
    {
        // Into a file: the rendering is thousands of lines, and a file holds them whole whatever the process's pipes do.
        var output = Path.Combine(Path.GetTempPath(), $"relay-k8s-rendered-{Guid.NewGuid():N}.yaml");
        try
        {
            var result = await ProcessRunner.RunAsync(ExternalTool.Locate("kubectl"), ["kustomize", RepositoryPaths.File(kustomization), "--output", output], TimeSpan.FromSeconds(60));
            Assert.True(result.ExitCode == 0, result.ToString());
            var stream = new YamlStream();
            stream.Load(new StringReader(File.ReadAllText(output)));
            return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static async Task<IEnumerable<YamlMappingNode>> OfKindAsync(string kind) => (await Rendered.Value).Where(r => r.Str("kind") == kind);

    private static string Name(YamlNode resource) => resource.Get("metadata")!.Str("name")!;

    private static async Task<YamlMappingNode> StatefulSetAsync() => (await OfKindAsync("StatefulSet")).Single();

    private static YamlNode PodSpec(YamlNode statefulSet) => statefulSet.Get("spec")!.Get("template")!.Get("spec")!;

    private static YamlNode Container(YamlNode statefulSet) => PodSpec(statefulSet).Get("containers").Items().Single();

    private static List<string> Args(YamlNode statefulSet) => Container(statefulSet).Get("args").Items().Select(a => a.Scalar()).ToList();

    private static string Flag(YamlNode statefulSet, string flag) =>
        Args(statefulSet).SingleOrDefault(a => a.StartsWith(flag + "=", StringComparison.Ordinal))?[(flag.Length + 1)..]
        ?? throw new Xunit.Sdk.XunitException($"the container has no {flag}=VALUE argument");

    [Fact]
    public async Task The_base_renders_too()
    {
        var resources = await RenderAsync(Path.Combine("deploy", "kubernetes", "base"));
        Assert.Contains(resources, r => r.Str("kind") == "StatefulSet");
    }

    [Fact]
    public async Task Every_configmap_secret_and_key_the_pods_use_exists_and_the_configuration_loads_with_them()
    {
        var statefulSet = await StatefulSetAsync();
        var configMaps = (await OfKindAsync("ConfigMap")).ToDictionary(Name);
        var secrets = (await OfKindAsync("Secret")).ToDictionary(Name);

        // Volume name → the keys it holds, from the ConfigMap or Secret it names; Secret values are base64.
        var volumes = new Dictionary<string, (YamlNode Data, bool Base64)>();
        foreach (var volume in PodSpec(statefulSet).Get("volumes").Items())
        {
            if (volume.Get("configMap") is { } configMap)
            {
                Assert.True(configMaps.TryGetValue(configMap.Str("name")!, out var found), $"volume {volume.Str("name")}: no ConfigMap {configMap.Str("name")}");
                volumes[volume.Str("name")!] = (found.Get("data")!, false);
            }
            else if (volume.Get("secret") is { } secret)
            {
                Assert.True(secrets.TryGetValue(secret.Str("secretName")!, out var found), $"volume {volume.Str("name")}: no Secret {secret.Str("secretName")}");
                volumes[volume.Str("name")!] = (found.Get("data")!, true);
            }
        }
        var mounts = Container(statefulSet).Get("volumeMounts").Items().Where(m => volumes.ContainsKey(m.Str("name")!))
            .ToDictionary(m => m.Str("mountPath")!, m => volumes[m.Str("name")!]);

        // A path in the container → the text of the key that holds it.
        string? FileText(string path)
        {
            if (!mounts.TryGetValue(Path.GetDirectoryName(path)!, out var mount) || mount.Data.Get(Path.GetFileName(path)) is not YamlScalarNode value) return null;
            return mount.Base64 ? Encoding.UTF8.GetString(Convert.FromBase64String(value.Value!)) : value.Value;
        }

        var configFile = Flag(statefulSet, "--config.file");
        var config = FileText(configFile) ?? throw new Xunit.Sdk.XunitException($"--config.file {configFile} is not a key of a mounted ConfigMap");
        var referenced = CredentialFile().Matches(config).Select(m => m.Groups["path"].Value).ToList();
        Assert.Contains(referenced, p => p.EndsWith("admin-token", StringComparison.Ordinal));
        Assert.True(referenced.Count >= 2, $"the configuration references only {referenced.Count} credential files");

        // The configuration loads as the exporter loads it, each credential file replaced by a local copy of its key.
        var directory = Directory.CreateTempSubdirectory("relay-k8s-").FullName;
        try
        {
            foreach (var path in referenced)
            {
                var text = FileText(path) ?? throw new Xunit.Sdk.XunitException($"the configuration reads {path}, which no mounted Secret or ConfigMap key holds");
                File.WriteAllText(Path.Combine(directory, Path.GetFileName(path)), text);
                config = config.Replace(path, Path.Combine(directory, Path.GetFileName(path)), StringComparison.Ordinal);
            }
            File.WriteAllText(Path.Combine(directory, "relay-exporter.yml"), config);
            var options = ConfigLoader.Load(Path.Combine(directory, "relay-exporter.yml"));
            Assert.NotEmpty(options.Targets);
            Assert.NotNull(options.Admin?.Token);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [GeneratedRegex(@"\{\s*file:\s*(?<path>/[^\s}]+)\s*\}")]
    private static partial Regex CredentialFile();

    [Fact]
    public async Task Every_image_is_pinned_and_the_pods_run_as_non_root_on_a_read_only_root_filesystem_with_resources()
    {
        var statefulSet = await StatefulSetAsync();
        foreach (var container in PodSpec(statefulSet).Get("containers").Items())
        {
            var image = container.Str("image")!;
            var pinned = image.Contains("@sha256:") || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal));
            Assert.True(pinned, $"image {image} is not pinned to a tag or digest");

            Assert.Equal("true", container.Get("securityContext")!.Str("readOnlyRootFilesystem"));
            Assert.Equal("false", container.Get("securityContext")!.Str("allowPrivilegeEscalation"));
            foreach (var kind in new[] { "requests", "limits" })
                Assert.NotNull(container.Get("resources")!.Get(kind)!.Str("memory"));
            Assert.NotNull(container.Get("resources")!.Get("requests")!.Str("cpu"));
        }
        var pod = PodSpec(statefulSet).Get("securityContext")!;
        Assert.Equal("true", pod.Str("runAsNonRoot"));
        // The image's user (deploy/exporter/Dockerfile), so files it owns stay readable.
        var imageUser = File.ReadAllLines(RepositoryPaths.File("deploy", "exporter", "Dockerfile")).Single(l => l.StartsWith("USER ", StringComparison.Ordinal))[5..];
        Assert.Equal(imageUser, pod.Str("runAsUser"));
    }

    [Fact]
    public async Task The_probes_ask_real_endpoints_of_the_exporter_on_the_port_it_listens_on()
    {
        var statefulSet = await StatefulSetAsync();
        var container = Container(statefulSet);
        var listenPort = Flag(statefulSet, "--web.listen-address").Split(':')[^1];
        var ports = container.Get("ports").Items().ToDictionary(p => p.Str("name")!, p => p.Str("containerPort")!);
        var probes = new[] { "livenessProbe", "readinessProbe" }.ToDictionary(p => p, p => container.Get(p)!.Get("httpGet")!);
        Assert.Equal("/-/healthy", probes["livenessProbe"].Str("path"));
        Assert.Equal("/-/ready", probes["readinessProbe"].Str("path"));
        foreach (var (probe, httpGet) in probes)
        {
            var port = httpGet.Str("port")!;
            Assert.Equal(listenPort, ports.GetValueOrDefault(port, port));
        }

        // The paths answer 200 on a running exporter.
        var config = Path.Combine(Path.GetTempPath(), $"relay-k8s-probe-{Guid.NewGuid():N}.yml");
        File.WriteAllText(config, "targets:\n  - { name: a, protocol: openai, base_url: \"http://127.0.0.1:1\", checks: { models: {} } }\n");
        try
        {
            await using var app = ExporterApp.Build(new CommandLine { ConfigFile = config, ListenAddress = "127.0.0.1:0", LogLevel = Microsoft.Extensions.Logging.LogLevel.Warning },
                config, ConfigLoader.Load(config));
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            foreach (var httpGet in probes.Values)
            {
                using var response = await client.GetAsync(httpGet.Str("path"));
                Assert.True(response.IsSuccessStatusCode, $"{httpGet.Str("path")}: {response.StatusCode}");
            }
            await app.StopAsync();
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public async Task The_service_monitor_scrapes_every_pod_under_the_job_name_the_rules_expect()
    {
        var statefulSet = await StatefulSetAsync();
        var service = (await OfKindAsync("Service")).Single();
        var podLabels = statefulSet.Get("spec")!.Get("template")!.Get("metadata")!.Get("labels").Entries().ToDictionary(e => e.Key, e => e.Value.Scalar());
        Assert.All(service.Get("spec")!.Get("selector").Entries(), s => Assert.Equal(s.Value.Scalar(), podLabels.GetValueOrDefault(s.Key)));
        Assert.Equal("None", service.Get("spec")!.Str("clusterIP")); // every pod is scraped: each has its own shard
        Assert.Equal(Name(service), statefulSet.Get("spec")!.Str("serviceName"));
        var servicePort = service.Get("spec")!.Get("ports").Items().Single();
        Assert.Equal(Container(statefulSet).Get("ports").Items().Single().Str("name"), servicePort.Str("targetPort"));

        var monitor = (await OfKindAsync("ServiceMonitor")).Single();
        var serviceLabels = service.Get("metadata")!.Get("labels").Entries().ToDictionary(e => e.Key, e => e.Value.Scalar());
        Assert.All(monitor.Get("spec")!.Get("selector")!.Get("matchLabels").Entries(), s => Assert.Equal(s.Value.Scalar(), serviceLabels.GetValueOrDefault(s.Key)));
        var endpoint = monitor.Get("spec")!.Get("endpoints").Items().Single();
        Assert.Equal(servicePort.Str("name"), endpoint.Str("port"));
        Assert.Equal("/metrics", endpoint.Str("path"));

        // prometheus-operator names the job after the Service (no jobLabel): the job relay:exporter_up selects.
        Assert.Null(monitor.Get("spec")!.Str("jobLabel"));
        var recording = File.ReadAllText(RepositoryPaths.File("alerting-rules", "relay-recording.rules.yml"));
        Assert.Contains($"up{{job=\"{Name(service)}\"}}", recording);

        var budget = (await OfKindAsync("PodDisruptionBudget")).Single();
        Assert.All(budget.Get("spec")!.Get("selector")!.Get("matchLabels").Entries(), s => Assert.Equal(s.Value.Scalar(), podLabels.GetValueOrDefault(s.Key)));
    }

    [Fact]
    public async Task Each_pod_is_the_shard_of_its_ordinal_and_the_shard_count_is_the_replica_count()
    {
        var statefulSet = await StatefulSetAsync();
        Assert.Equal(statefulSet.Get("spec")!.Str("replicas"), Flag(statefulSet, "--shard.count"));
        var index = ShardIndexVariable().Match(Flag(statefulSet, "--shard.index"));
        Assert.True(index.Success, $"--shard.index={Flag(statefulSet, "--shard.index")} is not an environment variable reference");
        var variable = Container(statefulSet).Get("env").Items().Single(e => e.Str("name") == index.Groups["name"].Value);
        Assert.Equal("metadata.labels['apps.kubernetes.io/pod-index']", variable.Get("valueFrom")!.Get("fieldRef")!.Str("fieldPath"));

        // The flags as the pod gets them, with an ordinal in place of the variable, parse.
        var args = Args(statefulSet).Select(a => a.Replace(index.Value, "3", StringComparison.Ordinal)).ToList();
        var (commandLine, errors) = CommandLine.Parse(args, _ => null);
        Assert.Empty(errors);
        Assert.Equal(3, commandLine!.Shard!.Index);
    }

    [GeneratedRegex(@"^\$\((?<name>[A-Z_]+)\)$")]
    private static partial Regex ShardIndexVariable();

    [Fact]
    public async Task The_prometheus_rules_are_exactly_the_rule_files_of_alerting_rules()
    {
        var rules = (await OfKindAsync("PrometheusRule")).ToDictionary(Name);
        var files = AlertingRuleTests.RuleFiles();
        Assert.Equal(files.Select(f => Path.GetFileName(f)[..^".rules.yml".Length]).Order(), rules.Keys.Order());
        foreach (var file in files)
        {
            var rule = rules[Path.GetFileName(file)[..^".rules.yml".Length]];
            Assert.Equal(Canonical(Yaml.Load(file)), Canonical(rule.Get("spec")!));
        }
    }

    [Fact]
    public async Task The_dashboard_configmaps_are_exactly_the_dashboards_labelled_for_the_grafana_sidecar()
    {
        var dashboards = (await OfKindAsync("ConfigMap")).Where(c => c.Get("metadata")!.Get("labels")?.Str("grafana_dashboard") == "1").ToList();
        var byKey = dashboards.SelectMany(c => c.Get("data").Entries()).ToDictionary(e => e.Key, e => e.Value.Scalar());
        Assert.Equal(Dashboards.Files(), byKey.Keys.Order(StringComparer.Ordinal));
        foreach (var file in Dashboards.Files())
            Assert.True(File.ReadAllText(RepositoryPaths.File("dashboards", file)) == byKey[file],
                $"the ConfigMap of {file} differs from dashboards/{file}: run scripts/generate-kubernetes.sh");
    }

    /// <summary>A YAML tree as text that differs when the trees differ: mapping keys sorted (kustomize sorts them), scalars quoted.</summary>
    private static string Canonical(YamlNode node) => node switch
    {
        YamlMappingNode map => "{" + string.Join(",", map.Children.Select(c => Canonical(c.Key) + ":" + Canonical(c.Value)).Order(StringComparer.Ordinal)) + "}",
        YamlSequenceNode sequence => "[" + string.Join(",", sequence.Children.Select(Canonical)) + "]",
        YamlScalarNode scalar => System.Text.Json.JsonSerializer.Serialize(scalar.Value),
        _ => throw new ArgumentException($"unexpected YAML node {node.NodeType}"),
    };
}
