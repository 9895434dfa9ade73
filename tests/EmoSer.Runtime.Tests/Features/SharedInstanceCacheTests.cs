using EmoSer.Runtime.Features;

namespace EmoSer.Runtime.Tests.Features;

[Trait("Category", "unit")]
public sealed class SharedInstanceCacheTests
{
    [Fact]
    public void Each_key_is_built_once_until_the_cache_is_full_then_it_starts_over()
    {
        var cache = new SharedInstanceCache<int, object>(capacity: 3);
        int built = 0;
        object Create(int key)
        {
            built++;
            return new object();
        }

        object first = cache.GetOrCreate(1, Create);
        Assert.Same(first, cache.GetOrCreate(1, Create));
        Assert.NotSame(first, cache.GetOrCreate(2, Create));
        cache.GetOrCreate(3, Create);
        Assert.Equal(3, built);
        Assert.Same(first, cache.GetOrCreate(1, Create));
        Assert.Equal(3, built);
        // A fourth key finds the cache full: it is cleared and holds only the new key, so key 1 is built again.
        cache.GetOrCreate(4, Create);
        Assert.Equal(4, built);
        Assert.NotSame(first, cache.GetOrCreate(1, Create));
        Assert.Equal(5, built);
    }
}
