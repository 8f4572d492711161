using RelayExporter.Probing;

namespace RelayExporter.Tests.Probing;

public class SharedStringsTests
{
    [Fact]
    public void A_recurring_name_is_kept_once()
    {
        var name = $"provider-{Guid.NewGuid():N}"[..20];

        var first = SharedStrings.Share(new string(name.AsSpan()));

        Assert.Same(first, SharedStrings.Share(new string(name.AsSpan())));
    }

    [Fact]
    public void A_name_longer_than_a_label_value_is_never_kept()
    {
        // An upstream can send a new name of up to a body's size on every probe: none of them may stay in the pool.
        var name = $"provider-{Guid.NewGuid():N}-{new string('x', UpstreamValueRefusal.MaxLength)}";
        SharedStrings.Share(new string(name.AsSpan()));

        var again = new string(name.AsSpan());

        Assert.Same(again, SharedStrings.Share(again));
    }
}
