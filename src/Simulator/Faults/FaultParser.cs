using System.Text.Json;
using System.Text.Json.Nodes;

namespace RelayExporter.Simulator;

internal sealed class FaultValidationException(string message) : Exception(message);

/// <summary>Turns an admin request body such as <c>{"kind":"slow","delay_ms":250}</c> into a <see cref="Fault"/>.</summary>
internal static class FaultParser
{
    public static readonly IReadOnlyList<string> Kinds =
    [
        "down", "slow", "rate_limited", "status", "overloaded", "garbage", "html", "stream_cut", "stream_hang",
        "stream_error", "unauthorized", "model_removed", "model_substituted", "provider_unavailable", "redirect",
    ];

    public static Fault Parse(JsonElement body, TargetDefinition target, string? model)
    {
        if (body.ValueKind != JsonValueKind.Object)
            throw new FaultValidationException("the fault must be a JSON object such as {\"kind\":\"slow\",\"delay_ms\":250}");
        if (!body.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
            throw new FaultValidationException($"the fault needs a string 'kind', one of: {string.Join(", ", Kinds)}");

        var kind = kindElement.GetString()!;
        var args = new FaultArgs(body, kind);
        Fault fault = kind switch
        {
            "down" => Down(args, model),
            "slow" => new SlowFault(args.RequiredInt("delay_ms", 0, 600_000), args.Int("token_delay_ms", 0, 60_000, fallback: 0)),
            "rate_limited" => new RateLimitedFault(args.OptionalInt("retry_after_s", 0, 86_400), args.OptionalInt("retry_after_ms", 0, 86_400_000)),
            "status" => Status(args),
            "overloaded" => new OverloadedFault(),
            "garbage" => new GarbageFault(),
            "html" => new HtmlFault(),
            "stream_cut" => new StreamCutFault(args.Int("after_chunks", 0, 10_000, fallback: 1)),
            "stream_hang" => new StreamHangFault(args.Int("after_chunks", 0, 10_000, fallback: 1)),
            "stream_error" => new StreamErrorFault(),
            "unauthorized" => new UnauthorizedFault(),
            "model_removed" => ModelRemoved(target, model),
            "model_substituted" => ModelSubstituted(args, target, model),
            "provider_unavailable" => ProviderUnavailable(args, target, model),
            "redirect" => Redirect(args),
            _ => throw new FaultValidationException($"unknown fault kind '{kind}'; known kinds: {string.Join(", ", Kinds)}"),
        };
        args.RejectUnknownParameters();
        return fault with { Settings = args.Normalized };
    }

    private static DownFault Down(FaultArgs args, string? model)
    {
        var mode = args.OneOf("mode", ["refused", "reset"], fallback: "refused");
        if (mode == "refused" && model is not null)
            throw new FaultValidationException(
                "fault 'down' with mode 'refused' closes the whole target's port, so it cannot be set for one model; use mode 'reset'");
        return new DownFault(mode == "refused" ? DownMode.Refused : DownMode.Reset);
    }

    private static StatusFault Status(FaultArgs args)
    {
        var status = args.IntIn("status", [500, 502, 503]);
        var overloaded = args.Bool("overloaded", fallback: false);
        if (overloaded && status != 503)
            throw new FaultValidationException("parameter 'overloaded' of fault 'status' needs status 503");
        return new StatusFault(status, overloaded);
    }

    private static ModelRemovedFault ModelRemoved(TargetDefinition target, string? model) => model is null
        ? throw new FaultValidationException(
            $"fault 'model_removed' applies to one model: use /_sim/faults/{target.Name}/{{model}}")
        : new ModelRemovedFault();

    private static ModelSubstitutedFault ModelSubstituted(FaultArgs args, TargetDefinition target, string? model) => model is null
        ? throw new FaultValidationException(
            $"fault 'model_substituted' applies to one model: use /_sim/faults/{target.Name}/{{model}}")
        : new ModelSubstitutedFault(args.RequiredString("model"));

    private static ProviderUnavailableFault ProviderUnavailable(FaultArgs args, TargetDefinition target, string? model)
    {
        if (target.Kind != TargetKind.Relay)
            throw new FaultValidationException($"fault 'provider_unavailable' needs a relay target; '{target.Name}' is a provider");
        if (model is not null)
            throw new FaultValidationException("fault 'provider_unavailable' applies to the whole relay, not to one model");
        var provider = args.RequiredString("provider");
        if (!target.Providers.Contains(provider))
            throw new FaultValidationException(
                $"relay '{target.Name}' has no upstream provider '{provider}'; its providers: {string.Join(", ", target.Providers)}");
        return new ProviderUnavailableFault(provider);
    }

    private static RedirectFault Redirect(FaultArgs args)
    {
        var location = args.RequiredString("location");
        if (!Uri.TryCreate(location, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new FaultValidationException($"parameter 'location' of fault 'redirect' must be an absolute http(s) URL, got '{location}'");
        var status = args.IntIn("status", [301, 302, 303, 307, 308], fallback: 302);
        return new RedirectFault(location, status);
    }

    /// <summary>Reads parameters, remembers which were read (to reject the rest) and builds the normalised settings.</summary>
    private sealed class FaultArgs(JsonElement body, string kind)
    {
        private readonly HashSet<string> _read = ["kind"];

        public JsonObject Normalized { get; } = new() { ["kind"] = kind };

        public int Int(string name, int min, int max, int fallback)
        {
            if (OptionalInt(name, min, max) is { } number) return number;
            Normalized[name] = fallback;
            return fallback;
        }

        public int RequiredInt(string name, int min, int max) => OptionalInt(name, min, max) ?? throw Missing(name);

        public int? OptionalInt(string name, int min, int max)
        {
            if (!TryGet(name, out var value)) return null;
            if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
                throw Invalid(name, "an integer");
            if (number < min || number > max)
                throw new FaultValidationException($"parameter '{name}' of fault '{kind}' must be between {min} and {max}, got {number}");
            Normalized[name] = number;
            return number;
        }

        /// <summary>One of <paramref name="allowed"/>; required unless a fallback is given.</summary>
        public int IntIn(string name, int[] allowed, int? fallback = null)
        {
            var number = OptionalInt(name, int.MinValue, int.MaxValue);
            if (number is null)
            {
                Normalized[name] = fallback ?? throw Missing(name);
                return fallback.Value;
            }
            if (!allowed.Contains(number.Value))
                throw new FaultValidationException($"parameter '{name}' of fault '{kind}' must be one of {string.Join(", ", allowed)}, got {number}");
            return number.Value;
        }

        public bool Bool(string name, bool fallback)
        {
            if (!TryGet(name, out var value))
            {
                Normalized[name] = fallback;
                return fallback;
            }
            if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Invalid(name, "true or false");
            Normalized[name] = value.GetBoolean();
            return value.GetBoolean();
        }

        public string RequiredString(string name)
        {
            if (!TryGet(name, out var value)) throw Missing(name);
            if (value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
                throw Invalid(name, "a non-empty string");
            Normalized[name] = value.GetString();
            return value.GetString()!;
        }

        public string OneOf(string name, string[] allowed, string fallback)
        {
            if (!TryGet(name, out var value))
            {
                Normalized[name] = fallback;
                return fallback;
            }
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : null;
            if (text is null || !allowed.Contains(text)) throw Invalid(name, $"one of {string.Join(", ", allowed)}");
            Normalized[name] = text;
            return text;
        }

        public void RejectUnknownParameters()
        {
            foreach (var property in body.EnumerateObject())
            {
                if (!_read.Contains(property.Name))
                    throw new FaultValidationException($"fault '{kind}' has no parameter '{property.Name}'");
            }
        }

        private bool TryGet(string name, out JsonElement value)
        {
            _read.Add(name);
            return body.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
        }

        private FaultValidationException Missing(string name) =>
            new($"fault '{kind}' needs parameter '{name}'");

        private FaultValidationException Invalid(string name, string expected) =>
            new($"parameter '{name}' of fault '{kind}' must be {expected}");
    }
}
