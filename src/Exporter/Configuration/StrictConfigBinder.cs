using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace RelayExporter.Configuration;

/// <summary>
/// Binds configuration onto option classes by their snake_case property names, reporting every unknown key
/// and every value of the wrong type instead of stopping at the first (which ConfigurationBinder does).
/// </summary>
/// <remarks>
/// It walks the option classes by reflection. So that this survives trimming and Native AOT, every type it can reach
/// from <see cref="ExporterOptions"/> is kept by a <see cref="DynamicDependencyAttribute"/> on <see cref="Bind{T}"/>
/// (a test checks the list is complete); a new option class, list or dictionary type must be added there. A caller that
/// binds classes of its own (the web configuration) keeps them the same way, on its own method.
/// </remarks>
internal sealed class StrictConfigBinder(ConfigProblems problems)
{
    internal const DynamicallyAccessedMemberTypes Bindable =
        DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor;
    private const DynamicallyAccessedMemberTypes Collection = DynamicallyAccessedMemberTypes.PublicConstructors;

    [DynamicDependency(Bindable, typeof(ExporterOptions))]
    [DynamicDependency(Bindable, typeof(DefaultsOptions))]
    [DynamicDependency(Bindable, typeof(TargetOptions))]
    [DynamicDependency(Bindable, typeof(CheckOptions))]
    [DynamicDependency(Bindable, typeof(CredentialOptions))]
    [DynamicDependency(Bindable, typeof(HeaderValue))]
    [DynamicDependency(Bindable, typeof(AzureOptions))]
    [DynamicDependency(Bindable, typeof(TlsOptions))]
    [DynamicDependency(Bindable, typeof(HealthOptions))]
    [DynamicDependency(Bindable, typeof(CircuitOptions))]
    [DynamicDependency(Bindable, typeof(ProbingOptions))]
    [DynamicDependency(Bindable, typeof(MetricsOptions))]
    [DynamicDependency(Bindable, typeof(ModelPrice))]
    [DynamicDependency(Bindable, typeof(BudgetOptions))]
    [DynamicDependency(Bindable, typeof(AdminOptions))]
    [DynamicDependency(Collection, typeof(Dictionary<string, string>))]
    [DynamicDependency(Collection, typeof(List<TargetOptions>))]
    [DynamicDependency(Collection, typeof(List<string>))]
    [DynamicDependency(Collection, typeof(Dictionary<string, List<string>>))]
    [DynamicDependency(Collection, typeof(Dictionary<string, ModelPrice>))]
    [DynamicDependency(Collection, typeof(Dictionary<string, CheckOptions>))]
    [DynamicDependency(Collection, typeof(Dictionary<string, HeaderValue>))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields, typeof(TargetKind))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields, typeof(ProtocolKind))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields, typeof(HealthDocument))]
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicFields, typeof(AzureApi))]
    public T Bind<[DynamicallyAccessedMembers(Bindable)] T>(IConfiguration configuration) where T : new()
    {
        var instance = new T();
        BindProperties(instance, configuration.GetChildren(), "");
        return instance;
    }

    private object? BindValue(Type type, IConfigurationSection section)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        // A header's value may be written as is (X-Title: relay-exporter) instead of as { value: … }.
        if (underlying == typeof(HeaderValue) && section.Value is not null && !section.GetChildren().Any())
            return new HeaderValue { Value = section.Value };
        if (IsScalar(underlying))
        {
            if (section.GetChildren().Any())
            {
                problems.Add(section.Path, $"expected a single value ({Describe(underlying)}), got a mapping or list");
                return null;
            }
            return section.Value is null ? null : ParseScalar(underlying, section);
        }
        if (section.Value is not null)
        {
            problems.Add(section.Path, $"expected {Describe(underlying)}, got the value \"{section.Value}\"");
            return null;
        }
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
            return BindList(underlying, section);
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(Dictionary<,>))
            return BindDictionary(underlying, section);

        var instance = Create(underlying);
        BindProperties(instance, section.GetChildren(), section.Path);
        return instance;
    }

    private void BindProperties(object instance, IEnumerable<IConfigurationSection> children, string path)
    {
        var properties = PropertiesOf(instance.GetType())
            .Where(p => p.CanWrite)
            .ToDictionary(p => KeyName(p), StringComparer.OrdinalIgnoreCase);
        foreach (var child in children)
        {
            if (!properties.TryGetValue(child.Key, out var property))
            {
                problems.Add(child.Path, $"unknown key; expected one of: {string.Join(", ", properties.Keys.Order())}");
                continue;
            }
            var value = BindValue(property.PropertyType, child);
            if (value is not null) property.SetValue(instance, value);
        }
    }

    private object BindList(Type listType, IConfigurationSection section)
    {
        var elementType = listType.GetGenericArguments()[0];
        var list = (IList)Create(listType);
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                problems.Add(section.Path, "expected a list, got a mapping");
                break;
            }
            var value = BindValue(elementType, child);
            if (value is not null) list.Add(value);
            else if (child.Value is null && !child.GetChildren().Any()) problems.Add(child.Path, "empty list entry");
        }
        return list;
    }

    private object BindDictionary(Type dictionaryType, IConfigurationSection section)
    {
        var valueType = dictionaryType.GetGenericArguments()[1];
        var dictionary = (IDictionary)Create(dictionaryType, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            var empty = child.Value is null && !child.GetChildren().Any();
            if (empty && IsScalar(valueType))
            {
                problems.Add(child.Path, $"has no value; expected {Describe(valueType)}");
                continue;
            }
            // "models:" with nothing after it means "this entry, with defaults".
            var value = empty ? Create(valueType) : BindValue(valueType, child);
            if (value is not null) dictionary[child.Key] = value;
        }
        return dictionary;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2067", Justification = "Every option, list and dictionary type is kept by the DynamicDependency attributes on Bind.")]
    private static object Create(Type type, params object[] arguments) => Activator.CreateInstance(type, arguments)!;

    [UnconditionalSuppressMessage("Trimming", "IL2070", Justification = "Every option type's public properties are kept by the DynamicDependency attributes on Bind.")]
    private static PropertyInfo[] PropertiesOf(Type type) => type.GetProperties(BindingFlags.Public | BindingFlags.Instance);

    private object? ParseScalar(Type type, IConfigurationSection section)
    {
        var text = section.Value!;
        object? value = type switch
        {
            _ when type == typeof(string) => text,
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) ? i : null,
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null,
            _ when type == typeof(bool) => bool.TryParse(text, out var b) ? b : null,
            _ when type == typeof(TimeSpan) => PrometheusDuration.TryParse(text, out var t) ? t : null,
            _ when type.IsEnum => ParseEnum(type, text),
            _ => null,
        };
        if (value is null) problems.Add(section.Path, $"\"{text}\" is not {Describe(type)}");
        return value;
    }

    private static object? ParseEnum(Type type, string text) =>
        Enum.GetNames(type).FirstOrDefault(n => SnakeCase(n).Equals(text, StringComparison.OrdinalIgnoreCase)) is { } name
            ? Enum.Parse(type, name)
            : null;

    private static bool IsScalar(Type type) =>
        type == typeof(string) || type == typeof(int) || type == typeof(double) || type == typeof(bool)
        || type == typeof(TimeSpan) || type.IsEnum;

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(string) => "a string",
        _ when type == typeof(int) => "a whole number",
        _ when type == typeof(double) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(TimeSpan) => "a duration such as 500ms, 30s, 5m or 1h30m",
        _ when type.IsEnum => "one of: " + string.Join(", ", Enum.GetNames(type).Select(SnakeCase)),
        _ when type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>) => "a list",
        _ => "a mapping",
    };

    internal static string KeyName(PropertyInfo property) => SnakeCase(property.Name);

    internal static string SnakeCase(string name) => JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
}
