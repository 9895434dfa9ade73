using System.Reflection;

namespace EmoSer.Tests.Shared;

/// <summary>
/// Every test is in exactly one group (docs/testing.md), so that each group runs alone with
/// <c>-- --filter-trait Category=NAME</c> and the groups together are the whole suite. Compiled into every test
/// project (tests/Shared), where it checks that project's tests.
/// </summary>
[Trait("Category", "unit")]
public sealed class TestCategoryTests
{
    /// <summary>The groups: no external input; ../shared (corpora, golden values); published binaries and packages; a browser.</summary>
    public static readonly string[] Categories = ["unit", "golden", "native", "browser"];

    [Fact]
    public void Every_test_is_in_exactly_one_known_category()
    {
        var problems = new List<string>();
        int tests = 0;
        foreach (Type type in typeof(TestCategoryTests).Assembly.GetTypes())
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<FactAttribute>() is null)
                    continue;
                tests++;
                string[] categories =
                [
                    .. type.GetCustomAttributes<TraitAttribute>(inherit: true).Concat(method.GetCustomAttributes<TraitAttribute>())
                        .Where(t => t.Name == "Category").Select(t => t.Value).Distinct(),
                ];
                if (categories.Length != 1 || !Categories.Contains(categories[0]))
                    problems.Add($"{type.Name}.{method.Name}: [{string.Join(", ", categories)}]");
            }
        }
        Assert.True(tests > 1, $"only {tests} tests found");
        Assert.True(problems.Count == 0, $"tests without exactly one Category trait of {string.Join("/", Categories)}: {string.Join("; ", problems)}");
    }
}
