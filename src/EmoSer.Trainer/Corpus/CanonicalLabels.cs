using System.Text;

namespace EmoSer.Trainer.Corpus;

/// <summary>
/// The canonical emotion set and the label names of known corpora and languages that map onto it (docs/labels.md).
/// Several corpora train one model only when all their labels mean the same thing, so every label is brought to its
/// canonical name; anything this table does not know comes from <c>--label-map</c>.
/// </summary>
public static class CanonicalLabels
{
    /// <summary>The canonical labels, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } = ["angry", "happy", "sad", "neutral", "fear", "disgust", "surprise", "boredom", "calm"];

    /// <summary>The four-class subset most cross-corpus work reports (angry, happy, neutral, sad).</summary>
    public static IReadOnlyList<string> FourClass { get; } = ["angry", "happy", "neutral", "sad"];

    // Keys are normalized (see Normalize): lower case, '_'/'-' as spaces, Turkish and German letters folded.
    private static readonly Dictionary<string, string> s_byName = Build(new Dictionary<string, string[]>
    {
        ["angry"] =
        [
            "angry", "anger", "ang", "mad", "wut", "wutend", "wuetend", "arger", "aerger", "argerlich", "zorn",
            "ira", "enfado", "enfadado", "enfadada", "enojo", "enojado", "enojada", "rabbia", "rab", "arrabbiato", "arrabbiata",
            "colere", "en colere", "ofke", "ofkeli", "kizgin", "sinirli", "gussa", "ghussa", "غصہ", "غصه",
        ],
        ["happy"] =
        [
            "happy", "happiness", "hap", "joy", "joyful", "glad", "freude", "frohlich", "froehlich", "glucklich", "gluecklich",
            "gluck", "glueck", "alegria", "alegre", "feliz", "felicidad", "felicita", "felice", "gioia", "gio", "joie",
            "heureux", "heureuse", "bonheur", "mutlu", "mutluluk", "sevinc", "nese", "khushi", "khush", "خوشی", "خوش",
        ],
        ["sad"] =
        [
            "sad", "sadness", "sa", "trauer", "traurig", "traurigkeit", "tristeza", "triste", "tristezza", "tri",
            "tristesse", "uzgun", "uzuntu", "huzun", "huzunlu", "udaas", "udas", "udasi", "gham", "غم", "اداس", "اداسی",
        ],
        ["neutral"] = ["neutral", "neu", "neutro", "neutra", "neutrale", "neutre", "notr", "غیر جانبدار"],
        ["fear"] =
        [
            "fear", "fearful", "fea", "scared", "afraid", "fright", "angst", "angstlich", "aengstlich", "furcht", "miedo",
            "temor", "paura", "pau", "peur", "korku", "korkmus", "khauf", "darr", "خوف", "ڈر",
        ],
        ["disgust"] =
        [
            "disgust", "disgusted", "dis", "ekel", "angeekelt", "abscheu", "asco", "disgusto", "degout", "igrenme",
            "tiksinme", "nafrat", "ghin", "نفرت", "گھن",
        ],
        ["surprise"] =
        [
            "surprise", "surprised", "sur", "su", "ps", "pleasant surprise", "pleasant surprised", "uberraschung",
            "ueberraschung", "uberrascht", "ueberrascht", "sorpresa", "sorpreso", "sor", "surpris",
            "saskinlik", "sasirma", "saskin", "hairat", "hairani", "حیرت", "حیرانی",
        ],
        ["boredom"] =
        [
            "boredom", "bored", "bor", "langeweile", "gelangweilt", "aburrimiento", "aburrido", "aburrida", "noia",
            "annoiato", "annoiata", "ennui", "can sikintisi", "sikilmis", "bezginlik",
        ],
        ["calm"] =
        [
            "calm", "calmness", "ruhig", "ruhe", "gelassen", "calma", "calmo", "tranquilo", "tranquila", "tranquillo",
            "calme", "sakin", "sakinlik", "sukoon", "سکون", "پرسکون",
        ],
    });

    private static Dictionary<string, string> Build(Dictionary<string, string[]> spellings)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (canonical, names) in spellings)
        {
            foreach (string name in names)
            {
                string key = Normalize(name);
                if (map.TryGetValue(key, out var other) && other != canonical)
                    throw new InvalidOperationException($"label '{name}' is listed under both '{other}' and '{canonical}'");
                map[key] = canonical;
            }
        }
        return map;
    }

    /// <summary>Every known spelling (normalized) and its canonical label, for docs and tests.</summary>
    public static IReadOnlyDictionary<string, string> KnownSpellings => s_byName;

    /// <summary>The canonical label of <paramref name="label"/>, or null when the table does not know it.</summary>
    public static string? Canonical(string label) => s_byName.GetValueOrDefault(Normalize(label));

    /// <summary>
    /// The form labels are compared in: trimmed, lower case, '_' and '-' as spaces, runs of spaces as one, and the
    /// German, Turkish, Spanish, Italian and French letters with marks folded to plain ones (ä → a, ß → ss, ı → i, ş → s, é → e).
    /// </summary>
    public static string Normalize(string label)
    {
        var sb = new StringBuilder(label.Length);
        bool space = false;
        foreach (char ch in label.Trim().ToLowerInvariant())
        {
            char c = ch switch
            {
                '_' or '-' or '\t' => ' ',
                'ä' or 'à' or 'á' or 'â' => 'a',
                'ö' or 'ò' or 'ó' or 'ô' => 'o',
                'ü' or 'ù' or 'ú' or 'û' => 'u',
                'é' or 'è' or 'ê' or 'ë' => 'e',
                'í' or 'ì' or 'î' or 'ï' or 'ı' => 'i',
                'ş' => 's',
                'ç' => 'c',
                'ğ' => 'g',
                'ñ' => 'n',
                _ => ch,
            };
            if (c == ' ')
            {
                if (!space && sb.Length > 0) sb.Append(' ');
                space = true;
                continue;
            }
            space = false;
            if (c == 'ß') sb.Append("ss");
            else sb.Append(c);
        }
        return sb.ToString().TrimEnd();
    }
}
