using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using RelayExporter.Configuration;
using RelayExporter.Web;

namespace RelayExporter.Tests.Configuration;

/// <summary>
/// The binder reflects over the option classes; a trimmed or Native AOT build keeps only what its DynamicDependency
/// attributes name. A type reachable from ExporterOptions or WebConfig but missing there would bind as "unknown key" in such a build.
/// </summary>
public class StrictConfigBinderTrimmingTests
{
    [Fact]
    public void Every_type_the_binder_can_reach_is_kept_for_trimming()
    {
        var kept = KeptBy(typeof(StrictConfigBinder).GetMethod(nameof(StrictConfigBinder.Bind))!);

        Assert.Empty(Reachable(typeof(ExporterOptions)).Where(t => !kept.Contains(t)).Select(t => t.ToString()));
    }

    [Fact]
    public void Every_type_the_web_configuration_loader_binds_is_kept_for_trimming()
    {
        var kept = KeptBy(typeof(StrictConfigBinder).GetMethod(nameof(StrictConfigBinder.Bind))!)
            .Union(KeptBy(typeof(WebConfigLoader).GetMethod(nameof(WebConfigLoader.Load))!));

        Assert.Empty(Reachable(typeof(WebConfig)).Where(t => !kept.Contains(t)).Select(t => t.ToString()));
    }

    private static HashSet<Type> KeptBy(MethodInfo method) =>
        method.GetCustomAttributes<DynamicDependencyAttribute>().Select(a => a.Type!).ToHashSet();

    private static IEnumerable<Type> Reachable(Type root)
    {
        var seen = new HashSet<Type>();
        var pending = new Stack<Type>([root]);
        while (pending.TryPop(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (type == typeof(string) || type.IsPrimitive || type == typeof(TimeSpan) || !seen.Add(type)) continue;
            if (type.IsEnum) continue;
            if (type.IsGenericType)
                foreach (var argument in type.GetGenericArguments()) pending.Push(argument);
            else
                foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                    pending.Push(property.PropertyType);
        }
        return seen;
    }
}
