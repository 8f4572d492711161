using RelayExporter.Configuration;
using RelayExporter.Hosting;
using RelayExporter.Sharding;

namespace RelayExporter.Tests.Sharding;

/// <summary>How the rendezvous hash splits a fleet: one owner each, even shares, and little movement when N changes.</summary>
public sealed class ShardTests
{
    private static readonly IReadOnlyList<string> Fleet = Enumerable.Range(0, 10_000).Select(i => $"relay-{i:D5}").ToList();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(8)]
    public void Every_target_is_owned_by_exactly_one_shard_and_the_shares_are_even(int count)
    {
        var shards = Enumerable.Range(0, count).Select(i => new Shard(i, count)).ToList();
        var owners = Fleet.Select(name => shards.Where(s => s.Owns(name)).Select(s => s.Index).ToList()).ToList();

        Assert.All(owners, o => Assert.Single(o));
        var expected = Fleet.Count / (double)count;
        foreach (var share in owners.GroupBy(o => o.Single()))
            Assert.InRange(share.Count(), expected * 0.9, expected * 1.1);
        Assert.Equal(count, owners.Select(o => o.Single()).Distinct().Count());
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(9)]
    public void Adding_a_shard_moves_about_one_in_N_plus_one_targets_and_only_to_the_new_shard(int count)
    {
        var moved = Fleet.Where(name => Shard.OwnerOf(name, count) != Shard.OwnerOf(name, count + 1)).ToList();

        Assert.All(moved, name => Assert.Equal(count, Shard.OwnerOf(name, count + 1)));
        var expected = Fleet.Count / (double)(count + 1);
        Assert.InRange(moved.Count, expected * 0.9, expected * 1.1);
    }

    [Fact]
    public void Removing_the_last_shard_moves_only_its_own_targets()
    {
        var moved = Fleet.Where(name => Shard.OwnerOf(name, 4) != Shard.OwnerOf(name, 3)).ToList();

        Assert.Equal(Fleet.Where(name => Shard.OwnerOf(name, 4) == 3), moved);
    }

    [Fact]
    public void A_sharded_configuration_keeps_its_shards_targets_at_start_and_after_a_reload()
    {
        var path = Path.Combine(Path.GetTempPath(), $"relay-exporter-shard-{Guid.NewGuid():N}.yml");
        string Config(int targets) => "targets:\n" + string.Concat(Enumerable.Range(0, targets)
            .Select(i => $"  - {{ name: t{i}, protocol: openai, base_url: \"http://127.0.0.1:1\" }}\n"));
        try
        {
            File.WriteAllText(path, Config(20));
            var shard = new Shard(1, 3);
            var config = new RunningConfig(path, ConfigLoader.Load(path), TimeProvider.System, shard.Select);
            Assert.Equal(Enumerable.Range(0, 20).Select(i => $"t{i}").Where(n => Shard.OwnerOf(n, 3) == 1), config.Current.Targets.Select(t => t.Name));
            Assert.NotEmpty(config.Current.Targets);

            File.WriteAllText(path, Config(40));
            Assert.Empty(config.Reload());
            Assert.Equal(Enumerable.Range(0, 40).Select(i => $"t{i}").Where(n => Shard.OwnerOf(n, 3) == 1), config.Current.Targets.Select(t => t.Name));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(new[] { "--shard.index", "1", "--shard.count", "2" }, 1, 2)]
    [InlineData(new[] { "--shard.count=4", "--shard.index=0" }, 0, 4)]
    public void Shard_flags_parse(string[] args, int index, int count)
    {
        var (result, errors) = CommandLine.Parse(args, _ => null);

        Assert.Empty(errors);
        Assert.Equal(new Shard(index, count), result!.Shard);
    }

    [Theory]
    [InlineData(new[] { "--shard.index", "0" }, "--shard.index needs --shard.count")]
    [InlineData(new[] { "--shard.count", "2" }, "--shard.count needs --shard.index")]
    [InlineData(new[] { "--shard.index", "2", "--shard.count", "2" }, "--shard.index 2 must be below --shard.count 2")]
    [InlineData(new[] { "--shard.index", "-1", "--shard.count", "2" }, "--shard.index \"-1\" must be a whole number, at least 0")]
    [InlineData(new[] { "--shard.index", "0", "--shard.count", "0" }, "--shard.count \"0\" must be a whole number, at least 1")]
    [InlineData(new[] { "--shard.index", "$(SHARD_INDEX)", "--shard.count", "2" }, "--shard.index \"$(SHARD_INDEX)\" must be a whole number, at least 0")]
    public void Bad_shard_flags_are_named(string[] args, string error)
    {
        var (result, errors) = CommandLine.Parse(args, _ => null);

        Assert.Null(result);
        Assert.Contains(error, errors);
    }

    [Fact]
    public void Without_shard_flags_every_target_is_probed() => Assert.Null(CommandLine.Parse([], _ => null).Result!.Shard);
}
