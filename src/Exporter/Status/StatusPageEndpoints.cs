namespace RelayExporter.Status;

public static class StatusPageEndpoints
{
    /// <summary>
    /// The status page for people at <c>/</c>: one self-contained HTML file that refreshes itself from
    /// <c>GET /api/v1/targets</c>, which answers the same for programs.
    /// </summary>
    public static IEndpointRouteBuilder MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        var page = ReadPage();
        endpoints.MapGet("/", () => Results.Bytes(page, "text/html; charset=utf-8"));
        endpoints.MapGet("/api/v1/targets", (TargetStatusReport report) => Results.Json(report.Build(), StatusJson.Default.TargetsResponse));
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
