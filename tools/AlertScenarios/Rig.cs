using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RelayExporter.Simulator;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.AlertScenarios;

/// <summary>
/// The simulator (one relay per scenario, and its direct provider when the scenario has one; a second, HTTPS simulator for
/// each scenario with a certificate) and the real exporter probing them at its default cadence. Dispose stops exactly what
/// it started.
/// </summary>
internal sealed class Rig : IAsyncDisposable
{
    public const string ApiKeyVariable = "SIMULATOR_API_KEY";

    private readonly List<SimulatorHost> simulators = [];
    private readonly List<TestCertificates> certificates = [];
    private readonly Dictionary<string, FaultClient> faults = [];
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private Process? exporter;

    private Rig(DirectoryInfo directory) => Directory = directory;

    public DirectoryInfo Directory { get; }

    public Uri ExporterUrl { get; private set; } = null!;

    public IReadOnlyList<Scenario> Scenarios { get; private set; } = [];

    public FaultClient Faults(string scenario) => faults[scenario];

    /// <param name="paidChecks">When set, the chat and stream options of every scenario (for a quick look at the series).</param>
    public static async Task<Rig> StartAsync(IReadOnlyList<Scenario> scenarios, string exporterBinary, string? paidChecks = null)
    {
        var rig = new Rig(System.IO.Directory.CreateTempSubdirectory("alert-scenarios-"));
        try
        {
            rig.Scenarios = paidChecks is null ? scenarios : scenarios.Select(s => s with { PaidChecks = paidChecks }).ToList();
            await rig.StartAsync(exporterBinary);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync(string exporterBinary)
    {
        var targets = new StringBuilder("targets:\n");
        var plain = Scenarios.Where(s => s.CertificateValidity is null).ToList();
        if (plain.Count > 0) AddTargets(targets, plain, await StartSimulatorAsync(plain, null), caFile: null);
        foreach (var scenario in Scenarios.Where(s => s.CertificateValidity is not null))
        {
            var certificate = new TestCertificates(scenario.CertificateValidity!.Value);
            certificates.Add(certificate);
            AddTargets(targets, [scenario], await StartSimulatorAsync([scenario], certificate), certificate.AuthorityPemFile);
        }

        var config = Path.Combine(Directory.FullName, "relay-exporter.yml");
        await File.WriteAllTextAsync(config, targets.ToString());
        var port = FreePort();
        var start = new ProcessStartInfo(exporterBinary)
        {
            ArgumentList = { "--config.file", config, "--web.listen-address", $"127.0.0.1:{port}" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment[ApiKeyVariable] = "scenario-key";
        exporter = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {exporterBinary}");
        var log = Path.Combine(Directory.FullName, "exporter.log");
        _ = PipeAsync(exporter.StandardOutput, log);
        _ = PipeAsync(exporter.StandardError, log + ".err");
        ExporterUrl = new Uri($"http://127.0.0.1:{port}");
        await WaitUntilAsync(async () =>
        {
            if (exporter.HasExited) throw new InvalidOperationException($"the exporter exited with {exporter.ExitCode}; see {log}.err");
            try
            {
                using var response = await http.GetAsync(new Uri(ExporterUrl, "-/ready"));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(60), "the exporter to be ready");
    }

    private async Task<SimulatorHost> StartSimulatorAsync(IReadOnlyList<Scenario> scenarios, TestCertificates? certificate)
    {
        var simulator = await SimulatorHost.StartAsync(new SimulatorOptions
        {
            Targets = scenarios.SelectMany(s => s.WithDirectProvider
                ? [Relay(s), new TargetDefinition(s.DirectTarget, TargetProtocol.OpenAi, TargetKind.Provider, Scenario.Models)]
                : new[] { Relay(s) }).ToList(),
            Certificate = certificate?.Server,
        });
        simulators.Add(simulator);
        foreach (var scenario in scenarios) faults[scenario.Name] = new FaultClient(http, simulator.AdminUrl, scenario.Name);
        return simulator;
    }

    private static TargetDefinition Relay(Scenario scenario) =>
        new(scenario.Name, TargetProtocol.OpenAi, TargetKind.Relay, Scenario.Models) { Providers = Scenario.Providers };

    private static void AddTargets(StringBuilder yaml, IReadOnlyList<Scenario> scenarios, SimulatorHost simulator, string? caFile)
    {
        foreach (var scenario in scenarios)
        {
            var paid = scenario.PaidChecks ?? "{}";
            yaml.Append($"  - name: {scenario.Name}\n")
                .Append("    kind: relay\n    protocol: openai\n")
                .Append($"    base_url: {simulator.TargetUrl(scenario.Name).GetLeftPart(UriPartial.Authority)}\n")
                .Append($"    credential: {{ env: {ApiKeyVariable} }}\n")
                .Append($"    models: [{string.Join(", ", Scenario.Models)}]\n")
                .Append($"    checks: {{ health: {{}}, models: {{}}, chat: {paid}, stream: {paid} }}\n");
            if (caFile is not null) yaml.Append($"    tls: {{ ca_file: {caFile} }}\n");
            if (!scenario.WithDirectProvider) continue;
            // Named, not inferred: every direct provider of the run probes the same models.
            yaml.Append($"    direct: {{ {string.Join(", ", Scenario.Models.Select(m => $"{m}: {scenario.DirectTarget}"))} }}\n")
                .Append($"  - name: {scenario.DirectTarget}\n")
                .Append("    protocol: openai\n")
                .Append($"    base_url: {simulator.TargetUrl(scenario.DirectTarget).GetLeftPart(UriPartial.Authority)}\n")
                .Append($"    credential: {{ env: {ApiKeyVariable} }}\n")
                .Append($"    models: [{string.Join(", ", Scenario.Models)}]\n")
                .Append($"    checks: {{ models: {{}}, chat: {paid}, stream: {paid} }}\n");
        }
    }

    /// <summary>Calls every scenario's tick about four times a second until <paramref name="ct"/> is cancelled.</summary>
    public async Task RunTicksAsync(Stopwatch clock, Func<bool> faultPhase, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            foreach (var scenario in Scenarios.Where(s => s.Tick is not null))
                await scenario.Tick!(faults[scenario.Name], clock.Elapsed, faultPhase());
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public Task<string> ScrapeAsync() => http.GetStringAsync(new Uri(ExporterUrl, "metrics"));

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    internal static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > timeout) throw new TimeoutException($"waited {timeout.TotalSeconds:0} s for {what}");
            await Task.Delay(200);
        }
    }

    private static async Task PipeAsync(StreamReader reader, string path)
    {
        await using var file = File.CreateText(path);
        while (await reader.ReadLineAsync() is { } line) await file.WriteLineAsync(line);
    }

    public async ValueTask DisposeAsync()
    {
        if (exporter is { HasExited: false })
        {
            exporter.Kill(entireProcessTree: true);
            await exporter.WaitForExitAsync();
        }

        exporter?.Dispose();
        foreach (var simulator in simulators) await simulator.DisposeAsync();
        foreach (var certificate in certificates) certificate.Dispose();
        http.Dispose();
    }
}
