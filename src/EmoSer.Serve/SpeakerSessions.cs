using System.Buffers;
using EmoSer.Runtime.Model;
using EmoSer.Runtime.Speakers;

namespace EmoSer.Serve;

/// <summary>
/// The in-memory speaker profiles of <c>POST /predict?speaker=</c> and <c>/speakers/{id}</c>: at most
/// <c>capacity</c> of them, the least recently used evicted first. The map is guarded by one lock held only for
/// dictionary and list updates; each profile has its own lock, held only to copy it or add one vector, so requests
/// for different speakers never wait on each other and a classification never runs under a lock.
/// </summary>
internal sealed class SpeakerSessions(int capacity)
{
    /// <summary>Longest speaker id.</summary>
    public const int MaxIdLength = 64;

    private static readonly SearchValues<char> s_idChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-");

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Session>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Session> _recent = new(); // most recently used first
    private long _evicted;
    // The served model's features once a swap has named them (DropIncompatible): a request still holding the model
    // it read before that swap must not replace the profile a speaker has built under the new one.
    private bool _servedKnown;
    private SpeakerFeatures? _served;

    /// <summary>Profiles held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
                return _map.Count;
        }
    }

    /// <summary>Most profiles held at once.</summary>
    public int Capacity { get; } = capacity >= 1 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "At least 1.");

    /// <summary>Profiles evicted because <see cref="Capacity"/> was reached.</summary>
    public long Evicted => Interlocked.Read(ref _evicted);

    /// <summary>Throws a 400 <see cref="ApiException"/> unless <paramref name="id"/> is 1..64 characters of [A-Za-z0-9._-].</summary>
    public static string ValidateId(string? id)
    {
        if (id is { Length: >= 1 and <= MaxIdLength } && !id.AsSpan().ContainsAnyExcept(s_idChars))
            return id;
        string shown = id is null ? "" : id.Length <= MaxIdLength ? id : id[..MaxIdLength] + "...";
        throw new ApiException(StatusCodes.Status400BadRequest,
            $"invalid speaker id '{shown.ReplaceLineEndings(" ")}': it must be 1 to {MaxIdLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    }

    /// <summary>The profile of <paramref name="id"/> for a model with <paramref name="features"/>, created empty when absent (or of other features).</summary>
    public Session GetOrCreate(string id, SpeakerFeatures features)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(id, out var node) && node.Value.Features == features)
            {
                Touch(node);
                return node.Value;
            }
            var session = new Session(id, features, new SpeakerProfile(features.FeatureCount));
            // A request of a model swapped out since it began: an empty profile of its own, kept nowhere.
            if (Stale(features))
                return session;
            return Insert(id, session);
        }
    }

    /// <summary>The profile of <paramref name="id"/> when it exists and is usable with <paramref name="features"/>; else null.</summary>
    public Session? Find(string id, SpeakerFeatures? features)
    {
        lock (_lock)
        {
            if (!_map.TryGetValue(id, out var node))
                return null;
            if (node.Value.Features != features)
            {
                // A profile left from a model with other features (a swap raced with its request) is of no use now;
                // but when the asker is the stale one, the profile is the served model's and stays.
                if (!Stale(features))
                    Unlink(node);
                return null;
            }
            Touch(node);
            return node.Value;
        }
    }

    /// <summary>Stores <paramref name="profile"/> as the profile of <paramref name="id"/>, replacing any; true when it replaced one.</summary>
    public bool Put(string id, SpeakerFeatures features, SpeakerProfile profile)
    {
        lock (_lock)
        {
            bool replaced = _map.TryGetValue(id, out var old);
            if (old is not null)
                Unlink(old);
            Insert(id, new Session(id, features, profile));
            return replaced;
        }
    }

    /// <summary>Forgets the profile of <paramref name="id"/>; false when there was none.</summary>
    public bool Remove(string id)
    {
        lock (_lock)
        {
            if (!_map.TryGetValue(id, out var node))
                return false;
            Unlink(node);
            return true;
        }
    }

    /// <summary>Drops every profile not computed from <paramref name="features"/> (all of them when null); returns how many.</summary>
    public int DropIncompatible(SpeakerFeatures? features)
    {
        lock (_lock)
        {
            _servedKnown = true;
            _served = features;
            int dropped = 0;
            for (var node = _recent.First; node is not null;)
            {
                var next = node.Next;
                if (node.Value.Features != features)
                {
                    Unlink(node);
                    dropped++;
                }
                node = next;
            }
            return dropped;
        }
    }

    /// <summary>Whether <paramref name="features"/> are not the served model's (known only once a swap has happened).</summary>
    private bool Stale(SpeakerFeatures? features) => _servedKnown && features != _served;

    private Session Insert(string id, Session session)
    {
        if (_map.TryGetValue(id, out var existing))
            Unlink(existing);
        while (_map.Count >= Capacity && _recent.Last is { } oldest)
        {
            Unlink(oldest);
            Interlocked.Increment(ref _evicted);
        }
        _map[id] = _recent.AddFirst(session);
        return session;
    }

    private void Touch(LinkedListNode<Session> node)
    {
        if (node != _recent.First)
        {
            _recent.Remove(node);
            _recent.AddFirst(node);
        }
    }

    private void Unlink(LinkedListNode<Session> node)
    {
        _recent.Remove(node);
        _map.Remove(node.Value.Id);
    }

    /// <summary>One speaker's profile; every access to <see cref="Profile"/> goes through its methods (per-profile lock).</summary>
    public sealed class Session(string id, SpeakerFeatures features, SpeakerProfile profile)
    {
        private readonly Lock _lock = new();

        /// <summary>The speaker id.</summary>
        public string Id { get; } = id;

        /// <summary>The features the statistics are made of.</summary>
        public SpeakerFeatures Features { get; } = features;

        /// <summary>A copy of the statistics as they stand now.</summary>
        public SpeakerProfile Snapshot()
        {
            lock (_lock)
            {
                return profile.Count == 0
                    ? new SpeakerProfile(profile.FeatureCount)
                    : SpeakerProfile.FromStatistics(profile.Count, profile.Mean, profile.SumSquaredDeviations);
            }
        }

        /// <summary>Utterances in the profile now.</summary>
        public long Count
        {
            get
            {
                lock (_lock)
                    return profile.Count;
            }
        }

        /// <summary>Adds one feature vector; returns the new count.</summary>
        public long Add(ReadOnlySpan<float> features)
        {
            lock (_lock)
            {
                profile.Add(features);
                return profile.Count;
            }
        }
    }
}
