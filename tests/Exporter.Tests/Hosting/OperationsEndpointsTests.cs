using System.Net;
using RelayExporter.Tests.Infrastructure;

namespace RelayExporter.Tests.Hosting;

[Collection(ExporterHostCollection.Name)]
public class OperationsEndpointsTests
{
    [Fact]
    public async Task Healthy_and_ready_answer_once_started()
    {
        await using var exporter = await ExporterHost.StartAsync(TestConfigs.UnreachableTarget("offline"));
        using var client = exporter.CreateClient();

        var healthy = await client.GetAsync("/-/healthy");
        var ready = await client.GetAsync("/-/ready");

        Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("Ready", await ready.Content.ReadAsStringAsync());
    }
}
