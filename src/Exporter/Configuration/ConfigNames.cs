namespace RelayExporter.Configuration;

/// <summary>
/// The names the configuration file gives the values of its enums (<c>azure_openai</c>, <c>relay</c>): what the binder
/// reads, and what every answer, page, log line and error message shows, so a user sees the name they wrote.
/// </summary>
public static class ConfigNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => StrictConfigBinder.SnakeCase(value.ToString());
}
