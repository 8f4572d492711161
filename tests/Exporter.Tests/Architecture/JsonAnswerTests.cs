using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using RelayExporter.Circuits;
using RelayExporter.Operations;
using RelayExporter.Routing;
using RelayExporter.Status;
using RelayExporter.Web;

namespace RelayExporter.Tests.Architecture;

/// <summary>
/// Each folder that answers JSON has its own serializer context; clients depend on the exact property names, so each
/// context must write the same snake_case answers: one sample of every answer, pinned whole.
/// </summary>
public class JsonAnswerTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_targets_answer_keeps_its_property_names()
    {
        var probe = new ProbeSummary(At, "chat", "gpt-4.1", "timeout", 1.5, "no answer within 1.5s");
        var latency = new LatencySummary(0.1, 0.2, 0.3, 0.4, 5);
        var check = new CheckStatus("chat", "down", "timeout", "no answer within 1.5s", At, null, probe);
        var target = new TargetStatus("relay-a", "relay", "openai", "http://relay", "degraded", "chat failing", At, 2,
            "closed", [new CircuitStatus("api", "open", "auth_error", At)],
            "timeout", "no answer within 1.5s", At, At, probe, latency,
            [check], [new ModelStatus("gpt-4.1", "down", "closed", null, true, "timeout", "no answer", At, probe, latency, [check])],
            [new UpstreamReport("openai", true, 0.25)], [probe]);
        var answer = new TargetsResponse(At, new SpendStatus(1.25, 10, 3.5, "running", null), [target]);

        Assert.Equal(OneLine("""
            {"generated_at":"2026-12-02T10:00:00+00:00","spend":{"spent_today_usd":1.25,"budget_usd_per_day":10,"projected_usd_per_day":3.5,"paid_checks":"running","paused_until":null},
            "targets":[{"name":"relay-a","kind":"relay","protocol":"openai","base_url":"http://relay","state":"degraded","state_reason":"chat failing","state_since":"2026-12-02T10:00:00+00:00","consecutive_failures":2,
            "circuit":"closed","circuits":[{"scope":"api","state":"open","opened_by":"auth_error","open_until":"2026-12-02T10:00:00+00:00"}],
            "last_outcome":"timeout","last_reason":"no answer within 1.5s","last_probe_at":"2026-12-02T10:00:00+00:00","last_success_at":"2026-12-02T10:00:00+00:00",
            "last_failure":{"at":"2026-12-02T10:00:00+00:00","check":"chat","model":"gpt-4.1","outcome":"timeout","duration_seconds":1.5,"reason":"no answer within 1.5s"},
            "latency":{"p50_seconds":0.1,"p90_seconds":0.2,"p95_seconds":0.3,"p99_seconds":0.4,"samples":5},
            "checks":[{"check":"chat","state":"down","last_outcome":"timeout","last_reason":"no answer within 1.5s","last_probe_at":"2026-12-02T10:00:00+00:00","last_success_at":null,
            "last_failure":{"at":"2026-12-02T10:00:00+00:00","check":"chat","model":"gpt-4.1","outcome":"timeout","duration_seconds":1.5,"reason":"no answer within 1.5s"}}],
            "models":[{"name":"gpt-4.1","state":"down","circuit":"closed","circuit_opened_by":null,"listed":true,"last_outcome":"timeout","last_reason":"no answer","last_success_at":"2026-12-02T10:00:00+00:00",
            "last_failure":{"at":"2026-12-02T10:00:00+00:00","check":"chat","model":"gpt-4.1","outcome":"timeout","duration_seconds":1.5,"reason":"no answer within 1.5s"},
            "latency":{"p50_seconds":0.1,"p90_seconds":0.2,"p95_seconds":0.3,"p99_seconds":0.4,"samples":5},
            "checks":[{"check":"chat","state":"down","last_outcome":"timeout","last_reason":"no answer within 1.5s","last_probe_at":"2026-12-02T10:00:00+00:00","last_success_at":null,
            "last_failure":{"at":"2026-12-02T10:00:00+00:00","check":"chat","model":"gpt-4.1","outcome":"timeout","duration_seconds":1.5,"reason":"no answer within 1.5s"}}]}],
            "upstreams":[{"provider":"openai","available":true,"latency_seconds":0.25}],
            "recent_probes":[{"at":"2026-12-02T10:00:00+00:00","check":"chat","model":"gpt-4.1","outcome":"timeout","duration_seconds":1.5,"reason":"no answer within 1.5s"}]}]}
            """),
            Json(answer, StatusJson.Default.TargetsResponse));
    }

    [Fact]
    public void The_route_answer_keeps_its_property_names()
    {
        var answer = new RouteAdvice("gpt-4.1", "gpt-4o", new FallbackNote("gpt-4.1", "gpt-4o", "no target can serve gpt-4.1"),
            [new RouteCandidate("relay-a", "http://relay", "gpt-4o", "healthy", "closed", 0.32, "healthy, p50 320 ms")],
            [new RouteExclusion("relay-b", "gpt-4o", "circuit open")], null);

        Assert.Equal(OneLine("""
            {"requested_model":"gpt-4.1","model":"gpt-4o","fallback":{"from":"gpt-4.1","to":"gpt-4o","reason":"no target can serve gpt-4.1"},
            "targets":[{"target":"relay-a","base_url":"http://relay","model":"gpt-4o","state":"healthy","circuit":"closed","latency_p50_seconds":0.32,"reason":"healthy, p50 320 ms"}],
            "excluded":[{"target":"relay-b","model":"gpt-4o","reason":"circuit open"}],"reason":null}
            """),
            Json(answer, RoutingJson.Default.RouteAdvice));
    }

    [Fact]
    public void The_admin_answers_keep_their_property_names()
    {
        // The web defaults escape ' as \u0027: every context keeps the same encoder.
        Assert.Equal("""{"error":"unknown target \u0027x\u0027"}""", Json(new ErrorResponse("unknown target 'x'"), WebJson.Default.ErrorResponse));
        Assert.Equal("""{"status":"reloaded","targets":3}""", Json(new ReloadedResponse("reloaded", 3), OperationsJson.Default.ReloadedResponse));
        Assert.Equal("""{"status":"rejected","error":"invalid","problems":["a.yml:3: bad"]}""",
            Json(new ReloadRejectedResponse("rejected", "invalid", ["a.yml:3: bad"]), OperationsJson.Default.ReloadRejectedResponse));
        Assert.Equal("""{"target":"relay-a","circuits":[{"scope":"model","model":"gpt-4.1","circuit":"isolated"},{"scope":"api","model":null,"circuit":"isolated"}]}""",
            Json(new CircuitResponse("relay-a", [new CircuitOverridden("model", "gpt-4.1", "isolated"), new CircuitOverridden("api", null, "isolated")]),
                CircuitsJson.Default.CircuitResponse));
    }

    // The expected answers are written over several lines; the answers themselves are one line.
    private static string OneLine(string json) => json.ReplaceLineEndings("");

    private static string Json<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);
}
