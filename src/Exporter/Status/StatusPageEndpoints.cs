namespace RelayExporter.Status;

public static class StatusPageEndpoints
{
    /// <summary>The status page for people at <c>/</c>: one self-contained HTML file that refreshes itself from /api/v1/targets.</summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        var page = ReadPage();
        endpoints.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8"));
        return endpoints;
    }

    private static byte[] ReadPage()
    {
        using var stream = typeof(StatusPageEndpoints).Assembly.GetManifestResourceStream("RelayExporter.Status.status.html")
            ?? throw new InvalidOperationException("the status page is missing from the assembly");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
