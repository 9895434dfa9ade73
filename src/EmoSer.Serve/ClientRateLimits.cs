using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace EmoSer.Serve;

/// <summary>
/// Per-client limits (by IP address) on the requests that cost the server most: uploads (<c>POST /predict</c>,
/// <c>PUT /speakers/{id}</c>) and training jobs (<c>POST /train</c>). A token bucket per client and kind: the whole
/// allowance may be used at once, then it refills evenly. Beyond it: <c>429</c> with <c>Retry-After</c>.
/// </summary>
internal static class ClientRateLimits
{
    /// <summary>The policy of upload endpoints.</summary>
    public const string Uploads = "uploads";

    /// <summary>The policy of <c>POST /train</c>.</summary>
    public const string Training = "train";

    /// <summary>Registers the policies of <paramref name="options"/> (a limit of 0 registers none).</summary>
    public static void Add(IServiceCollection services, ServeOptions options) => services.AddRateLimiter(o =>
    {
        o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
        if (options.UploadsPerMinute > 0)
            o.AddPolicy(Uploads, ctx => RateLimitPartition.GetTokenBucketLimiter(Client(ctx), _ => Bucket(options.UploadsPerMinute, TimeSpan.FromMinutes(1))));
        if (options.TrainsPerHour > 0)
            o.AddPolicy(Training, ctx => RateLimitPartition.GetTokenBucketLimiter(Client(ctx), _ => Bucket(options.TrainsPerHour, TimeSpan.FromHours(1))));
        o.OnRejected = async (context, _) =>
        {
            int? retry = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan after) ? Math.Max(1, (int)Math.Ceiling(after.TotalSeconds)) : null;
            bool train = context.HttpContext.Request.Path.StartsWithSegments("/train", StringComparison.Ordinal);
            string message = train
                ? string.Create(CultureInfo.InvariantCulture, $"too many training requests from this client: at most {options.TrainsPerHour} an hour")
                : string.Create(CultureInfo.InvariantCulture, $"too many uploads from this client: at most {options.UploadsPerMinute} a minute");
            await ServeApp.WriteErrorAsync(context.HttpContext, StatusCodes.Status429TooManyRequests, message, retry);
        };
    });

    /// <summary>Applies <paramref name="policy"/> to an endpoint when its limit is on.</summary>
    public static TBuilder Limit<TBuilder>(this TBuilder endpoint, string policy, ServeOptions options)
        where TBuilder : IEndpointConventionBuilder =>
        (policy == Uploads ? options.UploadsPerMinute : options.TrainsPerHour) > 0 ? endpoint.RequireRateLimiting(policy) : endpoint;

    private static string Client(HttpContext ctx) => ctx.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary><paramref name="permits"/> per <paramref name="window"/>: all of them at once, refilled evenly (at most every 0.1 s).</summary>
    private static TokenBucketRateLimiterOptions Bucket(int permits, TimeSpan window)
    {
        TimeSpan period = window / permits;
        int tokens = 1;
        if (period < TimeSpan.FromMilliseconds(100))
        {
            tokens = (int)Math.Ceiling(permits / (window / TimeSpan.FromMilliseconds(100)));
            period = TimeSpan.FromMilliseconds(100);
        }
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = permits,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = period,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
    }
}
