using RelayExporter.Configuration;
using RelayExporter.Protocols;
using RelayExporter.Outcomes;

namespace RelayExporter.Probing.Checks;

/// <summary>One tiny non-streamed completion: the answer is well formed, contains what is expected, and costs what it costs.</summary>
public sealed class ChatCheck : IProbeCheck
{
    public CheckKind Kind => CheckKinds.Chat;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        using var request = context.Protocol.CreateChatRequest(context.Target, ChatRequests.For(context, stream: false));
        using var response = await context.Exchange.SendAsync(request, cancellationToken);
        using var document = await context.Exchange.ReadJsonAsync(response, "the chat answer", cancellationToken);
        var reply = context.Protocol.ParseChatReply(document.RootElement);
        AnsweringModel.Verify(context.Job.Model!, reply.Model);

        var generation = new GenerationFindings(reply.Usage, null, null) { ResponseModel = AnsweringModel.AsLabel(reply.Model, context.Exchange.Text.Secrets) };
        return ChatRequests.Judge(context, reply.Text, reply.FinishReason) with { Generation = generation };
    }
}

/// <summary>What the chat and stream checks share: the request they send and how they judge the answer.</summary>
internal static class ChatRequests
{
    public static ChatProbeRequest For(ProbeContext context, bool stream) =>
        new(context.Job.Model!, context.Settings.Prompt!, context.Settings.MaxTokens!.Value, stream, context.Settings.Path);

    public static CheckFindings Judge(ProbeContext context, string text, string? finishReason)
    {
        var expect = context.Settings.Expect;
        var answer = context.Exchange.Text.Shorten(text, 80);
        if (!string.IsNullOrEmpty(expect) && !text.Contains(expect, StringComparison.OrdinalIgnoreCase))
            return new CheckFindings(ProbeOutcome.ContentMismatch, $"the answer \"{answer}\" does not contain \"{expect}\"");
        return new CheckFindings(ProbeOutcome.Success, $"answered \"{answer}\" (finish reason {finishReason ?? "not given"})");
    }
}
