using RelayExporter.Configuration;
using RelayExporter.Protocols;

namespace RelayExporter.Probing.Checks;

/// <summary>One tiny non-streamed completion: the answer is well formed, contains what is expected, and costs what it costs.</summary>
public sealed class ChatCheck : IProbeCheck
{
    public string Name => CheckNames.Chat;

    public async Task<CheckFindings> RunAsync(ProbeContext context, CancellationToken cancellationToken)
    {
        using var request = context.Protocol.CreateChatRequest(context.Target, ChatRequests.For(context, stream: false));
        using var response = await context.Exchange.SendAsync(request, cancellationToken);
        using var document = await context.Exchange.ReadJsonAsync(response, "the chat answer", cancellationToken);
        var reply = context.Protocol.ParseChatReply(document.RootElement);
        AnsweringModel.Verify(context.Job.Model!, reply.Model);

        var generation = new GenerationFindings(reply.Usage, null, null);
        return ChatRequests.Judge(context.Settings, reply.Text, reply.FinishReason) with { Generation = generation };
    }
}

/// <summary>What the chat and stream checks share: the request they send and how they judge the answer.</summary>
internal static class ChatRequests
{
    public static ChatProbeRequest For(ProbeContext context, bool stream) =>
        new(context.Job.Model!, context.Settings.Prompt!, context.Settings.MaxTokens!.Value, stream);

    public static CheckFindings Judge(CheckOptions settings, string text, string? finishReason)
    {
        if (!string.IsNullOrEmpty(settings.Expect) && !text.Contains(settings.Expect, StringComparison.OrdinalIgnoreCase))
            return new CheckFindings(ProbeOutcome.ContentMismatch, $"the answer \"{Shorten(text)}\" does not contain \"{settings.Expect}\"");
        return new CheckFindings(ProbeOutcome.Success, $"answered \"{Shorten(text)}\" (finish reason {finishReason ?? "not given"})");
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
