namespace RelayExporter.Configuration;

/// <summary>What the configuration needs to know about query parameters.</summary>
public static class QueryParameters
{
    /// <summary>Why a query parameter name cannot be used as is; null when it can.</summary>
    public static string? NameProblem(string name) =>
        name.Length == 0 ? "a query parameter name cannot be empty"
        : name.Any(c => c is '&' or '=' or '?' or '#' or '%' || char.IsWhiteSpace(c) || char.IsControl(c))
            ? $"\"{name}\" is not a plain query parameter name (no &, =, ?, #, % or spaces)"
            : null;
}
