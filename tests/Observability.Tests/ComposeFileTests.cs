using RelayExporter.Observability.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace RelayExporter.Observability.Tests;

/// <summary>
/// docker-compose.observability.yml cannot run here (no Docker engine), so it is checked against the files and configs it
/// uses: every mounted file exists, and ports, scrape targets, rule paths and provisioning paths agree with each other.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly YamlMappingNode Compose = Yaml.Load(RepositoryPaths.File("docker-compose.observability.yml"));
    private static readonly YamlMappingNode PrometheusConfig = Yaml.Load(RepositoryPaths.File("deploy", "prometheus", "prometheus.yml"));

    private static IEnumerable<KeyValuePair<string, YamlNode>> Services => Compose.Get("services").Entries();

    private static YamlNode Service(string name) =>
        Compose.Get("services")!.Get(name) ?? throw new Xunit.Sdk.XunitException($"compose has no service '{name}'");

    /// <summary>The service's bind mounts: repository path (relative to the compose file) → container path.</summary>
    private static Dictionary<string, string> BindMounts(string service) =>
        Service(service).Get("volumes").Items().Select(v => v.Scalar().Split(':'))
            .Where(parts => parts[0].StartsWith("./", StringComparison.Ordinal))
            .ToDictionary(parts => parts[1], parts => parts[0][2..]);

    private static IEnumerable<string> Command(string service) => Service(service).Get("command").Items().Select(n => n.Scalar());

    private static string FlagValue(string service, string flag)
    {
        var command = Command(service).ToList();
        var inline = command.FirstOrDefault(a => a.StartsWith(flag + "=", StringComparison.Ordinal));
        if (inline is not null) return inline[(flag.Length + 1)..];
        var index = command.IndexOf(flag);
        Assert.True(index >= 0 && index + 1 < command.Count, $"{service} has no {flag} in its command");
        return command[index + 1];
    }

    /// <summary>Ports the service listens on, from its port mappings.</summary>
    private static HashSet<int> ContainerPorts(string service) =>
        Service(service).Get("ports").Items().Select(p => int.Parse(p.Scalar().Split(':').Last(), System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();

    [Fact]
    public void Every_mounted_file_and_build_input_exists()
    {
        var checkedPaths = 0;
        foreach (var (name, service) in Services)
        {
            foreach (var volume in service.Get("volumes").Items().Select(v => v.Scalar()))
            {
                var source = volume.Split(':')[0];
                if (!source.StartsWith("./", StringComparison.Ordinal)) continue; // a named volume
                var path = RepositoryPaths.File(source[2..]);
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{name} mounts {source}, which does not exist");
                checkedPaths++;
            }

            if (service.Get("build") is { } build)
            {
                var context = RepositoryPaths.File(build.Str("context")!);
                var dockerfile = Path.Combine(context, build.Str("dockerfile")!);
                Assert.True(File.Exists(dockerfile), $"{name}: {dockerfile} does not exist");
                foreach (var line in File.ReadAllLines(dockerfile).Where(l => l.StartsWith("COPY ", StringComparison.Ordinal) && !l.Contains("--from")))
                {
                    var sources = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..^1];
                    Assert.All(sources, s => Assert.True(File.Exists(Path.Combine(context, s)) || Directory.Exists(Path.Combine(context, s)),
                        $"{dockerfile}: COPY source {s} does not exist"));
                }

                checkedPaths++;
            }
        }

        Assert.True(checkedPaths >= 8, $"only {checkedPaths} paths checked");
    }

    [Fact]
    public void The_stack_has_exporter_simulator_prometheus_alertmanager_and_grafana()
    {
        var names = Services.Select(s => s.Key).ToList();
        Assert.Subset(names.ToHashSet(), new HashSet<string> { "exporter", "simulator", "prometheus", "alertmanager", "grafana" });
    }

    [Fact]
    public void Prometheus_loads_the_mounted_config_and_every_rule_file_of_the_repository()
    {
        var mounts = BindMounts("prometheus");
        Assert.Equal("deploy/prometheus/prometheus.yml", mounts[FlagValue("prometheus", "--config.file")]);

        var ruleGlobs = PrometheusConfig.Get("rule_files").Items().Select(n => n.Scalar()).ToList();
        Assert.NotEmpty(ruleGlobs);
        var loaded = new List<string>();
        foreach (var glob in ruleGlobs)
        {
            var containerDirectory = Path.GetDirectoryName(glob)!;
            Assert.True(mounts.TryGetValue(containerDirectory, out var repositoryDirectory), $"rule directory {containerDirectory} is not mounted");
            loaded.AddRange(Directory.GetFiles(RepositoryPaths.File(repositoryDirectory), Path.GetFileName(glob)));
        }

        Assert.Equal(AlertingRuleTests.RuleFiles(), loaded.Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public void Every_scrape_target_and_the_alertmanager_address_is_a_service_port_of_the_compose_file()
    {
        var targets = PrometheusConfig.Get("scrape_configs").Items()
            .SelectMany(job => job.Get("static_configs").Items().SelectMany(c => c.Get("targets").Items().Select(t => (Job: job.Str("job_name")!, Target: t.Scalar()))))
            .ToList();
        var alertmanagers = PrometheusConfig.Get("alerting")!.Get("alertmanagers").Items()
            .SelectMany(a => a.Get("static_configs").Items().SelectMany(c => c.Get("targets").Items().Select(t => (Job: "alerting", Target: t.Scalar()))));
        Assert.Contains(targets, t => t.Job == "relay-exporter");

        foreach (var (job, target) in targets.Concat(alertmanagers))
        {
            var host = target.Split(':')[0];
            var port = int.Parse(target.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture);
            var service = host == "localhost" ? "prometheus" : host; // Prometheus scraping itself
            Assert.True(Compose.Get("services")!.Get(service) is not null, $"{job}: {target} names no compose service");
            Assert.True(ContainerPorts(service).Contains(port), $"{job}: {target}, but service {service} maps container ports [{string.Join(", ", ContainerPorts(service))}]");
        }

        // The exporter listens where Prometheus scrapes it.
        var exporterTarget = targets.Single(t => t.Job == "relay-exporter").Target;
        Assert.Equal(":" + exporterTarget.Split(':')[1], FlagValue("exporter", "--web.listen-address"));
    }

    [Fact]
    public void The_exporter_probes_the_simulator_service_on_the_simulator_ports()
    {
        Assert.Equal("0.0.0.0", FlagValue("simulator", "--host"));
        var mounts = BindMounts("exporter");
        var configPath = mounts[FlagValue("exporter", "--config.file")];
        var basePort = int.Parse(FlagValue("simulator", "--base-port"), System.Globalization.CultureInfo.InvariantCulture);
        var targets = Yaml.Load(RepositoryPaths.File(configPath)).Get("targets").Items().ToList();
        Assert.Equal(6, targets.Count);
        foreach (var target in targets)
        {
            var url = new Uri(target.Str("base_url")!);
            Assert.Equal("simulator", url.Host);
            Assert.InRange(url.Port, basePort, basePort + 5);
        }

        // The simulator's admin API is published on the host for fault injection.
        var adminPort = FlagValue("simulator", "--admin-port");
        Assert.Contains($"{adminPort}:{adminPort}", Service("simulator").Get("ports").Items().Select(p => p.Scalar()));
    }

    [Fact]
    public void Alertmanager_and_grafana_read_the_provisioned_files()
    {
        var alertmanagerMounts = BindMounts("alertmanager");
        Assert.Equal("deploy/alertmanager/alertmanager.yml", alertmanagerMounts[FlagValue("alertmanager", "--config.file")]);

        var grafanaMounts = BindMounts("grafana");
        Assert.Equal("deploy/grafana/provisioning", grafanaMounts["/etc/grafana/provisioning"]);
        var provider = Yaml.Load(RepositoryPaths.File("deploy", "grafana", "provisioning", "dashboards", "relay-exporter.yml"))
            .Get("providers").Items().Single();
        Assert.Equal("dashboards", grafanaMounts[provider.Get("options")!.Str("path")!]);

        var datasource = new Uri(Yaml.Load(RepositoryPaths.File("deploy", "grafana", "provisioning", "datasources", "prometheus.yml"))
            .Get("datasources").Items().Single().Str("url")!);
        Assert.Equal("prometheus", datasource.Host);
        Assert.Contains(datasource.Port, ContainerPorts("prometheus"));

        var home = Service("grafana").Get("environment")!.Str("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")!;
        Assert.StartsWith(provider.Get("options")!.Str("path")! + "/", home);
        Assert.Contains(Path.GetFileName(home), Dashboards.Files());
    }
}
