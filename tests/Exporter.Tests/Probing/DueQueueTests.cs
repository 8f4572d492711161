using RelayExporter.Probing;
using RelayExporter.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace RelayExporter.Tests.Probing;

public class DueQueueTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(TestClock.Start);

    [Fact]
    public async Task Every_item_due_at_the_same_instant_is_taken_at_once_and_none_before_its_time()
    {
        using var queue = new DueQueue<string>(_time, TimeSpan.Zero);
        var due = _time.GetUtcNow() + TimeSpan.FromSeconds(5);
        foreach (var item in new[] { "a", "b", "c" }) queue.Add(item, due);
        queue.Add("later", due + TimeSpan.FromSeconds(1));
        var taken = new List<string>();

        var take = queue.TakeDueAsync(taken, CancellationToken.None);
        Assert.False(take.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(5));
        await take.WaitAsync(Deadline);

        Assert.Equal(["a", "b", "c"], taken.Order());
    }

    [Fact]
    public async Task An_item_due_sooner_than_the_one_waited_for_is_taken_at_its_own_due_time()
    {
        using var queue = new DueQueue<string>(_time, TimeSpan.Zero);
        queue.Add("far", _time.GetUtcNow() + TimeSpan.FromHours(1));
        var taken = new List<string>();
        var take = queue.TakeDueAsync(taken, CancellationToken.None);

        queue.Add("near", _time.GetUtcNow() + TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(take.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        await take.WaitAsync(Deadline);

        Assert.Equal(["near"], taken);
    }

    [Fact]
    public async Task Items_due_within_the_spacing_of_the_last_take_are_taken_together_once_it_has_passed()
    {
        using var queue = new DueQueue<string>(_time, TimeSpan.FromMilliseconds(10));
        var start = _time.GetUtcNow();
        queue.Add("first", start + TimeSpan.FromSeconds(1));
        queue.Add("soon after", start + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(2));
        queue.Add("just after", start + TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(6));
        var taken = new List<string>();
        _time.Advance(TimeSpan.FromSeconds(1));
        await queue.TakeDueAsync(taken, CancellationToken.None).WaitAsync(Deadline);
        Assert.Equal(["first"], taken);
        taken.Clear();

        var take = queue.TakeDueAsync(taken, CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(9));
        Assert.False(take.IsCompleted);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        await take.WaitAsync(Deadline);

        Assert.Equal(["soon after", "just after"], taken);
    }

    [Fact]
    public async Task Waiting_ends_when_cancelled()
    {
        using var queue = new DueQueue<string>(_time, TimeSpan.Zero);
        using var cancel = new CancellationTokenSource();

        var take = queue.TakeDueAsync([], cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => take.WaitAsync(Deadline));
    }
}
