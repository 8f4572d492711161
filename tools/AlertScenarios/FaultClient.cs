namespace RelayExporter.AlertScenarios;

/// <summary>Sets and clears faults of one simulated target through the simulator's admin API.</summary>
internal sealed class FaultClient(HttpClient http, Uri admin, string target)
{
    public Task SetAsync(string faultJson) => PutAsync($"_sim/faults/{target}", faultJson);

    public Task SetForModelAsync(string model, string faultJson) => PutAsync($"_sim/faults/{target}/{model}", faultJson);

    public async Task ClearAsync()
    {
        using var response = await http.DeleteAsync(new Uri(admin, $"_sim/faults/{target}"));
        if (!response.IsSuccessStatusCode && response.StatusCode != System.Net.HttpStatusCode.NotFound)
            throw new InvalidOperationException($"DELETE _sim/faults/{target}: {(int)response.StatusCode}");
    }

    private async Task PutAsync(string path, string faultJson)
    {
        using var response = await http.PutAsync(new Uri(admin, path), new StringContent(faultJson));
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"PUT {path} {faultJson}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
