using RelayExporter.Probing;

namespace RelayExporter.Telemetry.Catalog;

/// <summary>
/// Every metric the exporter publishes, defined once: the instruments are created from these entries, the cardinality
/// limits size each one from its <see cref="MetricDefinition.Series"/>, /probe writes its names, kinds and help from
/// them, and tests hold the published instruments and docs/metrics.md to them.
/// </summary>
internal static class MetricCatalog
{
    /// <summary>Distinct outcomes a series is expected to see to begin with: a success and one way of failing.</summary>
    private const int OutcomesPerSeries = 2;

    /// <summary>Providers a relay's health document is expected to list to begin with (each is capped at 32).</summary>
    private const int ProvidersPerRelay = 4;

    // Few buckets (they are most of /metrics for a large fleet), with bounds at the 3 s and 5 s alert thresholds.
    private static readonly double[] LatencyBuckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];
    private static readonly double[] TokenTimeBuckets = [0.001, 0.0025, 0.005, 0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28];
    private static readonly double[] LagBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
    // The explicit bucket boundaries the GenAI semantic conventions advise for each client instrument.
    private static readonly double[] GenAiSecondsBuckets = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
    private static readonly double[] GenAiTokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private static readonly MetricLabel[] ProbeSeries = ["target", "check", new("model", Optional: true)];
    private static readonly MetricLabel[] CircuitSeries = ["target", "scope", new("model", Optional: true)];

    /// <summary>The exporter's own metrics: a handful of series, within every instrument's minimum.</summary>
    private static readonly Func<FleetSize, int> Few = _ => 0;

    /// <summary>The attributes every GenAI client instrument carries (metric_attributes.gen_ai of the conventions).</summary>
    public static readonly IReadOnlyList<MetricLabel> GenAiAttributes =
        ["gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model", new("gen_ai.response.model", Optional: true), "server.address", "server.port"];

    // Probes
    public static readonly MetricDefinition ProbeSuccess = new()
    {
        Name = "relay_probe_success", Kind = MetricKind.Gauge, Labels = ProbeSeries, Series = f => f.Series,
        Help = "1 if the latest probe of the series succeeded, else 0.",
    };

    public static readonly MetricDefinition ProbeDuration = new()
    {
        Name = "relay_probe_duration", Kind = MetricKind.Histogram, Unit = "s", Labels = ProbeSeries, Series = f => f.Series, Buckets = LatencyBuckets,
        Help = "Total time of each probe, from sending the request to judging the complete response.",
    };

    public static readonly MetricDefinition Probes = new()
    {
        Name = "relay_probes", Kind = MetricKind.Counter, Labels = [.. ProbeSeries, "outcome"],
        Series = f => f.Series * OutcomesPerSeries, OpenEnded = true,
        Help = "Probes run, by how each ended (outcome).",
    };

    public static readonly MetricDefinition ProbesSkipped = new()
    {
        Name = "relay_probes_skipped", Kind = MetricKind.Counter, Labels = [.. ProbeSeries, "reason"],
        // Only targets that answer 429 or 503 with a Retry-After skip any probe (retry_after); every paid series skips
        // once the day's budget is spent (budget_exhausted), those of a target that is down before (target_down).
        Series = f => f.Series / 4 + f.ModelSeries + f.ModelSeries / 4, OpenEnded = true,
        Help = "Scheduled probes not sent, by reason (retry_after: the target asked us to wait; budget_exhausted: the day's spend reached the budget).",
    };

    public static readonly MetricDefinition ProbeHttpStatusCode = new()
    {
        Name = "relay_probe_http_status_code", Kind = MetricKind.Gauge, Labels = ProbeSeries, Series = f => f.Series,
        Help = "HTTP status code of the latest probe's response; 0 when no response came.",
    };

    public static readonly MetricDefinition ProbeHttpVersion = new()
    {
        Name = "relay_probe_http_version", Kind = MetricKind.Gauge, Labels = ProbeSeries, Series = f => f.Series,
        Help = "HTTP version of the latest response of the series (1.1, 2, 3).",
    };

    public static readonly MetricDefinition ProbePhaseDuration = new()
    {
        Name = "relay_probe_phase_duration", Kind = MetricKind.Gauge, Unit = "s", Labels = [.. ProbeSeries, "phase"], Series = f => f.Series * 5,
        Help = "Time of each phase of the latest HTTP exchange of the series: dns, connect, tls, first_byte (request sent to response headers), transfer (body).",
    };

    public static readonly MetricDefinition ModelListed = new()
    {
        Name = "relay_model_listed", Kind = MetricKind.Gauge, Labels = ["target", "model"], Series = f => f.Models,
        Help = "1 if the target's models list offers the configured model, else 0.",
    };

    public static readonly MetricDefinition ProbeTimeToFirstToken = new()
    {
        Name = "relay_probe_time_to_first_token", Kind = MetricKind.Histogram, Unit = "s", Labels = ["target", "model"],
        Series = f => f.ModelSeries, Buckets = LatencyBuckets,
        Help = "Stream check: time from sending the request to the first content or reasoning token.",
    };

    public static readonly MetricDefinition ProbeTimePerOutputToken = new()
    {
        Name = "relay_probe_time_per_output_token", Kind = MetricKind.Histogram, Unit = "s", Labels = ["target", "model"],
        Series = f => f.ModelSeries, Buckets = TokenTimeBuckets,
        Help = "Stream check: time between the first and the last token, divided by the output tokens after the first.",
    };

    public static readonly MetricDefinition ProbeTokens = new()
    {
        // Per model series of the chat and stream checks, twice (input, output).
        Name = "relay_probe_tokens", Kind = MetricKind.Counter, Labels = ["target", "model", "type"], Series = f => f.ModelSeries * 2,
        Help = "Tokens used by chat and stream probes, as the response's usage reports them.",
    };

    public static readonly MetricDefinition ProbeCost = new()
    {
        Name = "relay_probe_cost_usd", Kind = MetricKind.Counter, Labels = ["target", "model"], Series = f => f.ModelSeries,
        Help = "What chat and stream probes cost, in USD, at the configured prices.",
    };

    // Targets
    public static readonly MetricDefinition CertificateExpiry = new()
    {
        Name = "relay_tls_certificate_expiry_timestamp", Kind = MetricKind.Gauge, Unit = "s", Labels = ["target"], Series = f => f.Targets,
        Help = "Unix time at which the earliest-expiring certificate of the target's TLS chain expires.",
    };

    public static readonly MetricDefinition RateLimitRemaining = new()
    {
        Name = "relay_rate_limit_remaining", Kind = MetricKind.Gauge, Labels = ["target", "limit"], Series = f => f.Targets * 2, OpenEnded = true,
        Help = "Requests or tokens left in the current rate-limit window, from the provider's rate-limit headers.",
    };

    // Upstream-chosen names grow no further than every relay listing its most: a relay that renames its providers
    // forever must not grow memory forever (beyond the ceiling, the SDK's overflow series takes them).
    public static readonly MetricDefinition UpstreamAvailable = new()
    {
        Name = "relay_upstream_available", Kind = MetricKind.Gauge, Labels = ["target", "provider"],
        Series = f => f.RelayHealthChecks * ProvidersPerRelay, Ceiling = f => f.RelayHealthChecks * RelayHealthDocument.MaxProviders, OpenEnded = true,
        Help = "1 if the relay reports the upstream provider available, else 0 (from its health document).",
    };

    public static readonly MetricDefinition UpstreamLatency = new()
    {
        Name = "relay_upstream_latency", Kind = MetricKind.Gauge, Unit = "s", Labels = ["target", "provider"],
        Series = f => f.RelayHealthChecks * ProvidersPerRelay, Ceiling = f => f.RelayHealthChecks * RelayHealthDocument.MaxProviders, OpenEnded = true,
        Help = "Latency the relay reports for the upstream provider (from its health document).",
    };

    public static readonly MetricDefinition ActiveNodes = new()
    {
        Name = "relay_active_nodes", Kind = MetricKind.Gauge, Labels = ["target"], Series = f => f.RelayHealthChecks,
        Help = "Active nodes the relay reports (from its health document).",
    };

    public static readonly MetricDefinition QueueDepth = new()
    {
        Name = "relay_queue_depth", Kind = MetricKind.Gauge, Labels = ["target"], Series = f => f.RelayHealthChecks,
        Help = "Queue depth the relay reports (from its health document).",
    };

    public static readonly MetricDefinition HealthDocumentProblems = new()
    {
        Name = "relay_health_document_problems", Kind = MetricKind.Gauge, Labels = ["target"], Series = f => f.RelayHealthChecks,
        Help = "Fields of the relay's latest health document that had an unexpected shape (0 when it was fully understood).",
    };

    public static readonly MetricDefinition UpstreamValuesRefused = new()
    {
        Name = "relay_upstream_values_refused", Kind = MetricKind.Counter, Labels = ["target", "reason"],
        Series = f => f.RelayHealthChecks * UpstreamValueRefusal.All.Count,
        Help = "Upstream-chosen label values refused, by reason: secret (holds a credential or a fragment of one), too_long, invalid_characters.",
    };

    // Health and circuits
    public static readonly MetricDefinition TargetHealthState = new()
    {
        Name = "relay_target_health_state", Kind = MetricKind.StateSet, Labels = ["target", "state"], Series = f => f.Targets * 4,
        Help = "Health state of the target: 1 for its current state (unknown, healthy, degraded, unhealthy), 0 for the others.",
    };

    public static readonly MetricDefinition TargetHealth = new()
    {
        Name = "relay_target_health", Kind = MetricKind.Gauge, Labels = ["target"], Series = f => f.Targets,
        Help = "Health of the target: 1 healthy, 0.5 degraded, 0 unhealthy; absent while unknown.",
    };

    public static readonly MetricDefinition TargetConsecutiveFailures = new()
    {
        Name = "relay_target_consecutive_failures", Kind = MetricKind.Gauge, Labels = ["target"], Series = f => f.Targets,
        Help = "Failed probes in a row of the target's own check (health or models) that decides its state.",
    };

    public static readonly MetricDefinition ModelHealthState = new()
    {
        Name = "relay_model_health_state", Kind = MetricKind.StateSet, Labels = ["target", "model", "state"], Series = f => f.Models * 4,
        Help = "Health state of the model on the target: 1 for its current state, 0 for the others.",
    };

    public static readonly MetricDefinition ModelHealth = new()
    {
        Name = "relay_model_health", Kind = MetricKind.Gauge, Labels = ["target", "model"], Series = f => f.Models,
        Help = "Health of the model on the target: 1 healthy, 0.5 degraded, 0 unhealthy; absent while unknown.",
    };

    public static readonly MetricDefinition ModelConsecutiveFailures = new()
    {
        Name = "relay_model_consecutive_failures", Kind = MetricKind.Gauge, Labels = ["target", "model"], Series = f => f.Models,
        Help = "Failed probes in a row of the model's check (chat, stream or listing) that decides its state.",
    };

    // Two circuits per target (reachability, api), one per target × model that a chat or stream check probes; most
    // never leave closed.
    public static readonly MetricDefinition CircuitState = new()
    {
        Name = "relay_circuit_state", Kind = MetricKind.StateSet, Labels = [.. CircuitSeries, "state"], Series = f => (f.Targets * 2 + f.ModelCircuits) * 4,
        Help = "State of a circuit breaker: scope reachability (the target's health check) or api (its models check), or model (target × model: chat and stream): 1 for its current state (closed, open, half_open, isolated), 0 for the others.",
    };

    public static readonly MetricDefinition CircuitTransitions = new()
    {
        Name = "relay_circuit_transitions", Kind = MetricKind.Counter, Labels = [.. CircuitSeries, "to"],
        Series = f => (f.Targets * 2 + f.ModelCircuits) * 2, OpenEnded = true,
        Help = "Changes of state of a circuit breaker (scope reachability or api of the target, or model of target × model), by the state it changed to (open, half_open, closed, isolated).",
    };

    // Spend
    public static readonly MetricDefinition SpendToday = new()
    {
        Name = "relay_spend_today_usd", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "What paid probes spent in the current UTC day, in USD at the configured prices; back to 0 when the day ends.",
    };

    public static readonly MetricDefinition Budget = new()
    {
        Name = "relay_budget_usd_per_day", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "The configured budget.usd_per_day; absent without a budget.",
    };

    public static readonly MetricDefinition SpendProjected = new()
    {
        Name = "relay_spend_projected_usd_per_day", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "The most the schedule's paid checks can spend in a day: every probe billing its prompt and max_tokens at the configured prices.",
    };

    // GenAI semantic conventions v1.41.0 (metrics.gen_ai): per target × model, as chat and stream probes share their attributes.
    public static readonly MetricDefinition GenAiOperationDuration = new()
    {
        Name = "gen_ai.client.operation.duration", Kind = MetricKind.Histogram, Unit = "s", GenAi = true, Buckets = GenAiSecondsBuckets,
        // The conventions define error.type on the duration only.
        Labels = [.. GenAiAttributes, new("error.type", Optional: true)],
        Series = f => f.GenAiModels * OutcomesPerSeries, OpenEnded = true,
        Help = "GenAI operation duration.",
    };

    public static readonly MetricDefinition GenAiTokenUsage = new()
    {
        Name = "gen_ai.client.token.usage", Kind = MetricKind.Histogram, Unit = "{token}", GenAi = true, Buckets = GenAiTokenBuckets,
        Labels = [.. GenAiAttributes, "gen_ai.token.type"], Series = f => f.GenAiModels * 2, OpenEnded = true,
        Help = "Number of input and output tokens used.",
    };

    public static readonly MetricDefinition GenAiTimeToFirstChunk = new()
    {
        Name = "gen_ai.client.operation.time_to_first_chunk", Kind = MetricKind.Histogram, Unit = "s", GenAi = true, Buckets = GenAiSecondsBuckets,
        Labels = GenAiAttributes, Series = f => f.GenAiStreamedModels, OpenEnded = true,
        Help = "Time to receive the first chunk, from issuing the generation request to the first chunk of the response stream.",
    };

    public static readonly MetricDefinition GenAiTimePerOutputChunk = new()
    {
        Name = "gen_ai.client.operation.time_per_output_chunk", Kind = MetricKind.Histogram, Unit = "s", GenAi = true, Buckets = GenAiSecondsBuckets,
        Labels = GenAiAttributes, Series = f => f.GenAiStreamedModels, OpenEnded = true,
        Help = "Time per output chunk: for each chunk after the first, the time from the end of the previous chunk to the end of this one.",
    };

    // The exporter itself
    public static readonly MetricDefinition DirectPairInfo = new()
    {
        // At most one direct provider per relay target × model.
        Name = "relay_direct_pair_info", Kind = MetricKind.Gauge, Labels = ["target", "model", "direct_target"], Series = f => f.Models,
        Help = "Always 1: the relay target's model is compared with the provider target (direct_target) that probes the same model directly; join on it to get what the relay adds.",
    };

    public static readonly MetricDefinition ExporterBuildInfo = new()
    {
        Name = "relay_exporter_build_info", Kind = MetricKind.Gauge, Labels = ["version", "revision", "runtime"], Series = Few,
        Help = "Always 1; the labels say which build is running.",
    };

    public static readonly MetricDefinition ExporterShard = new()
    {
        Name = "relay_exporter_shard", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "This replica's shard (--shard.index), 0 to relay_exporter_shards - 1; 0 when the fleet is not sharded.",
    };

    public static readonly MetricDefinition ExporterShards = new()
    {
        Name = "relay_exporter_shards", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "How many shards split the fleet (--shard.count); 1 when it is not sharded.",
    };

    public static readonly MetricDefinition ConfigLastReloadSuccessful = new()
    {
        Name = "relay_exporter_config_last_reload_successful", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "1 if the last configuration (re)load succeeded, else 0.",
    };

    public static readonly MetricDefinition ConfigLastReloadSuccessTimestamp = new()
    {
        Name = "relay_exporter_config_last_reload_success_timestamp", Kind = MetricKind.Gauge, Unit = "s", Labels = [], Series = Few,
        Help = "Unix time of the last successful configuration (re)load.",
    };

    public static readonly MetricDefinition ProbesInFlight = new()
    {
        Name = "relay_exporter_probes_in_flight", Kind = MetricKind.UpDownCounter, Labels = [], Series = Few,
        Help = "Probes sent and not yet finished.",
    };

    public static readonly MetricDefinition ProbesMaxConcurrency = new()
    {
        Name = "relay_exporter_probes_max_concurrency", Kind = MetricKind.Gauge, Labels = [], Series = Few,
        Help = "Probes the exporter runs at once at most (probing.max_concurrency); more wait, and their schedule lag grows.",
    };

    public static readonly MetricDefinition ScheduleLag = new()
    {
        Name = "relay_exporter_schedule_lag", Kind = MetricKind.Histogram, Unit = "s", Labels = [], Series = Few, Buckets = LagBuckets,
        Help = "How late each scheduled probe started compared with its planned time.",
    };

    public static readonly MetricDefinition LabelOverflow = new()
    {
        Name = "relay_exporter_label_overflow", Kind = MetricKind.Counter, Labels = ["label"], Series = Few,
        Help = "Upstream-chosen label values dropped because a target reported more than the cap.",
    };

    // Process and runtime: the two gauges the exporter publishes itself, then what it keeps of the runtime's and the
    // process instrumentation's instruments (SelfMetrics), under the names it exports them.
    public static readonly MetricDefinition ThreadPoolThreads = new()
    {
        Name = "dotnet.thread_pool.threads", Kind = MetricKind.UpDownCounter, Unit = "{thread}", Labels = [], Series = Few,
        Help = "Thread pool threads that exist now.",
    };

    public static readonly MetricDefinition ThreadPoolQueueLength = new()
    {
        Name = "dotnet.thread_pool.queue.length", Kind = MetricKind.UpDownCounter, Unit = "{work_item}", Labels = [], Series = Few,
        Help = "Work items queued to the thread pool and not yet started.",
    };

    private const string ProcessMeter = "OpenTelemetry.Instrumentation.Process";
    private const string RuntimeMeter = "System.Runtime";

    public static readonly IReadOnlyList<MetricDefinition> Kept =
    [
        Instrumented(ProcessMeter, "process.cpu.time", MetricKind.Counter, "s", labels: ["cpu.mode"]),
        Instrumented(ProcessMeter, "process.memory.usage", MetricKind.UpDownCounter, "By"),
        Instrumented(ProcessMeter, "process.memory.virtual", MetricKind.UpDownCounter, "By"),
        // Prometheus keeps the _count suffix for histograms: these two take the names of Prometheus' own process collector.
        Instrumented(ProcessMeter, "process.unix.file_descriptor.count", MetricKind.UpDownCounter, "{file_descriptor}", exportedAs: "process.open_fds"),
        Instrumented(ProcessMeter, "process.thread.count", MetricKind.UpDownCounter, "{thread}", exportedAs: "process.threads"),
        Instrumented(RuntimeMeter, "dotnet.thread_pool.work_item.count", MetricKind.Counter, "{work_item}"),
        Instrumented(RuntimeMeter, "dotnet.monitor.lock_contentions", MetricKind.Counter, "{contention}"),
        Instrumented(RuntimeMeter, "dotnet.exceptions", MetricKind.Counter, "{exception}", labels: ["error.type"]),
        Instrumented(RuntimeMeter, "dotnet.gc.collections", MetricKind.Counter, "{collection}", labels: ["gc.heap.generation"]),
        Instrumented(RuntimeMeter, "dotnet.gc.pause.time", MetricKind.Counter, "s"),
        Instrumented(RuntimeMeter, "dotnet.gc.heap.total_allocated", MetricKind.Counter, "By"),
        Instrumented(RuntimeMeter, "dotnet.gc.last_collection.heap.size", MetricKind.UpDownCounter, "By", labels: ["gc.heap.generation"]),
        Instrumented(RuntimeMeter, "dotnet.gc.last_collection.heap.fragmentation.size", MetricKind.UpDownCounter, "By", labels: ["gc.heap.generation"]),
        Instrumented(RuntimeMeter, "dotnet.gc.last_collection.memory.committed_size", MetricKind.UpDownCounter, "By"),
    ];

    /// <summary>Every metric, in the order docs/metrics.md lists them.</summary>
    public static readonly IReadOnlyList<MetricDefinition> All =
    [
        ProbeSuccess, ProbeDuration, Probes, ProbesSkipped, ProbeHttpStatusCode, ProbeHttpVersion, ProbePhaseDuration, ModelListed,
        ProbeTimeToFirstToken, ProbeTimePerOutputToken, ProbeTokens, ProbeCost,
        CertificateExpiry, RateLimitRemaining, UpstreamAvailable, UpstreamLatency, ActiveNodes, QueueDepth, HealthDocumentProblems, UpstreamValuesRefused,
        TargetHealthState, TargetHealth, TargetConsecutiveFailures, ModelHealthState, ModelHealth, ModelConsecutiveFailures, CircuitState, CircuitTransitions,
        SpendToday, Budget, SpendProjected, DirectPairInfo,
        GenAiOperationDuration, GenAiTokenUsage, GenAiTimeToFirstChunk, GenAiTimePerOutputChunk,
        ExporterBuildInfo, ExporterShard, ExporterShards, ConfigLastReloadSuccessful, ConfigLastReloadSuccessTimestamp, ProbesInFlight, ProbesMaxConcurrency, ScheduleLag, LabelOverflow,
        .. Kept, ThreadPoolThreads, ThreadPoolQueueLength,
    ];

    private static readonly Dictionary<string, MetricDefinition> ByName = All.ToDictionary(m => m.Name, StringComparer.Ordinal);

    /// <summary>The metric of this instrument name (as exported), or null.</summary>
    public static MetricDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    private static MetricDefinition Instrumented(string meter, string instrument, MetricKind kind, string unit, MetricLabel[]? labels = null, string? exportedAs = null) =>
        new() { Name = exportedAs ?? instrument, Kind = kind, Unit = unit, Labels = labels ?? [], Series = Few, Help = null, Source = (meter, instrument) };
}
