/*
 * emoser.h - the C API of libemoser, EmoSer's speech emotion recognition library.
 *
 * libemoser.so is a native (AOT-compiled) shared library for linux-x64 and linux-arm64 that
 * classifies speech into emotions (angry, boredom, disgust, fear, happy, sad, neutral for the
 * shipped model) from 16-bit or float PCM at any sample rate and channel count.
 *
 * Conventions
 * - Every function except emoser_version(), emoser_last_error(), emoser_status_str() and the
 *   *_default_params() functions returns an emoser_status:
 *   EMOSER_OK (0) on success, EMOSER_NO_RESULT (1) when a stream has nothing ready yet, and a
 *   negative code on failure. After a failure, emoser_last_error() returns a one-line message
 *   (at most 1000 characters) saying what was wrong (it is thread-local: each thread sees the message
 *   of its own last failed call).
 * - Calls with options take a params struct (whisper.cpp style): get one from emoser_classify_default_params()
 *   or emoser_stream_default_params(), change the fields you need, pass its address (NULL: the defaults).
 * - The 0.2 functions that took those options one by one or from the model handle are deprecated: they keep
 *   working and warn at compile time (define EMOSER_NO_DEPRECATION_WARNINGS before including this header to
 *   silence the warnings); each one's comment names its replacement.
 * - Limits (docs/limits.md), checked before any work is done: sample rates 8000..768000 Hz; float
 *   samples finite and within +-65536 (96 dB above full scale: beyond it the features overflow); at most
 *   a model handle's maximum duration of audio per classify, classify_file or profile_add call (600 s
 *   unless emoser_model_set_max_duration changes it; streams take any length in constant memory).
 *   A result is never a non-finite probability: a model whose network overflows for an input gives
 *   EMOSER_ERR_MODEL_FORMAT instead.
 * - Handles (emoser_model, emoser_stream, emoser_profile) are opaque values, never pointers to dereference.
 *   They are checked on every call: a null, freed ("stale") or foreign handle gives
 *   EMOSER_ERR_INVALID_HANDLE, never a crash, and a freed slot is never confused with a
 *   later handle (each slot carries a generation counter).
 * - Null pointers, negative lengths and sizes, and output buffers that are too small are
 *   reported as errors; nothing is written to an output on failure.
 * - No exception, signal or abort crosses the API for bad input: bad audio files, bad model
 *   files and bad arguments all come back as status codes.
 *
 * Threads
 * - A model may be used by any number of threads at once for emoser_classify_* and the
 *   emoser_model_* queries. Free it only when no other call on it is in flight.
 * - A stream session belongs to one thread at a time. Calls from two threads that overlap on
 *   the same session are detected where possible and the later one fails with EMOSER_ERR_BUSY.
 * - A speaker profile may be read by any number of threads at once (classify calls with a profile,
 *   emoser_stream_open, emoser_profile_count, emoser_profile_save), but emoser_profile_add_* needs it alone: an add that overlaps any
 *   other call on the same profile, or a call that overlaps an add, fails with EMOSER_ERR_BUSY
 *   (detected where possible, as for streams).
 *
 * Memory
 * - Strings returned by the library (labels, emoser_version, emoser_last_error, emoser_status_str) are
 *   UTF-8 and owned by the library: labels live until emoser_model_free(), the last-error string
 *   until the next failed call on the same thread, the version and status strings forever.
 * - The library keeps no reference to caller buffers after a call returns.
 */
#ifndef EMOSER_H
#define EMOSER_H

#include <stddef.h>
#include <stdint.h>

/* Marks the library's functions: default visibility for GCC and Clang, dllimport on Windows. */
#ifndef EMOSER_API
#  if defined(_WIN32)
#    define EMOSER_API __declspec(dllimport)
#  elif defined(__GNUC__) || defined(__clang__)
#    define EMOSER_API __attribute__((visibility("default")))
#  else
#    define EMOSER_API
#  endif
#endif

/* Marks a 0.2 function that a 0.3 function replaces: a compile-time warning naming the replacement. */
#if defined(EMOSER_NO_DEPRECATION_WARNINGS)
#  define EMOSER_DEPRECATED(hint)
#elif defined(__GNUC__) || defined(__clang__)
#  define EMOSER_DEPRECATED(hint) __attribute__((deprecated(hint)))
#elif defined(_MSC_VER)
#  define EMOSER_DEPRECATED(hint) __declspec(deprecated(hint))
#else
#  define EMOSER_DEPRECATED(hint)
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header; emoser_version() returns the library's at run time. */
#define EMOSER_VERSION_MAJOR 0
#define EMOSER_VERSION_MINOR 3
#define EMOSER_VERSION_PATCH 0
#define EMOSER_VERSION_STRING "0.3.0"
/* Single number for compile-time checks: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define EMOSER_VERSION_NUMBER (EMOSER_VERSION_MAJOR * 10000 + EMOSER_VERSION_MINOR * 100 + EMOSER_VERSION_PATCH)

/* Result of every call (except emoser_version and emoser_last_error). */
typedef enum emoser_status {
    EMOSER_OK = 0,                     /* success */
    EMOSER_NO_RESULT = 1,              /* emoser_stream_next: no result is ready yet (not an error) */
    EMOSER_ERR_NULL_ARGUMENT = -1,     /* a required pointer argument is NULL */
    EMOSER_ERR_INVALID_ARGUMENT = -2,  /* a length, rate, channel count, sample or duration is out of range */
    EMOSER_ERR_INVALID_HANDLE = -3,    /* null, freed, foreign or wrong-kind handle */
    EMOSER_ERR_BUFFER_TOO_SMALL = -4,  /* an output buffer is shorter than the label count */
    EMOSER_ERR_IO = -5,                /* a file could not be opened or read */
    EMOSER_ERR_AUDIO_FORMAT = -6,      /* the audio file is not a supported or valid WAV, AIFF or FLAC (or holds no samples) */
    EMOSER_ERR_MODEL_FORMAT = -7,      /* the model file is not a valid EmoSer weights file for this library */
    EMOSER_ERR_BUSY = -8,              /* a stream session is in use by another thread */
    EMOSER_ERR_INTERNAL = -9,          /* an unexpected failure inside the library (a bug) */
    EMOSER_ERR_PROFILE_FORMAT = -10    /* the file is not a valid speaker profile (docs/speaker-normalization.md) */
} emoser_status;

/* A loaded model. 0 (NULL) is never a valid handle. */
typedef struct emoser_model_handle *emoser_model;
/* A streaming session over a model. 0 (NULL) is never a valid handle. */
typedef struct emoser_stream_handle *emoser_stream;
/* A speaker profile: statistics of one speaker's utterances. 0 (NULL) is never a valid handle. */
typedef struct emoser_profile_handle *emoser_profile;

/* One result of a streaming session: the emotion of the audio in [start_s, end_s). */
typedef struct emoser_stream_result {
    double start_s;      /* window start, seconds since the first pushed sample */
    double end_s;        /* window end, seconds */
    int32_t silence;     /* 1 when the window is below the silence threshold: no emotion, probabilities all 0 */
    int32_t label_index; /* index of the most probable label, -1 for silence */
    float confidence;    /* probability of that label, 0 for silence */
    int32_t label_count; /* number of probabilities written to probs_out */
} emoser_stream_result;

/* Options of a classify call (emoser_classify_pcm_f32, _pcm_s16, emoser_classify_audio_file). Get the defaults
 * from emoser_classify_default_params() and change what you need. New in 0.3. */
typedef struct emoser_classify_params {
    int32_t speed_copies;    /* 1 (default): with a model that has test-time speed factors, the mean over the utterance
                                and its speed copies; 0: a single pass (about a third of the cost, usually a little less
                                accurate). Any other value is EMOSER_ERR_INVALID_ARGUMENT. */
    float min_confidence;    /* in [0, 1]: below it *top_index_out is EMOSER_LABEL_UNCERTAIN (the probabilities are
                                written as always); 0 (default) never answers uncertain. */
    emoser_profile profile;  /* the speaker's profile (models with speaker normalization), or NULL (default): the
                                model's population statistics. It must hold the features the model takes. */
} emoser_classify_params;

/* Where a stream takes the speaker statistics from (models with speaker normalization; others ignore it). */
typedef enum emoser_speaker_mode {
    EMOSER_SPEAKER_ADAPTIVE = 0,   /* default: a running profile of the stream's earlier non-overlapping, non-silent windows */
    EMOSER_SPEAKER_POPULATION = 1, /* no adaptation: the model's population statistics */
    EMOSER_SPEAKER_PROFILE = 2     /* a fixed profile (emoser_stream_params.profile), copied when the stream opens */
} emoser_speaker_mode;

/* Options of a stream session (emoser_stream_open). Get the defaults from emoser_stream_default_params(). New in 0.3. */
typedef struct emoser_stream_params {
    double window_s;         /* seconds each result classifies: 0.1..60, default 3 */
    double hop_s;            /* seconds between results: 0.01..60, default 1 */
    double silence_dbfs;     /* windows whose RMS level is below this (dBFS, <= 0) are reported as silence; default -50,
                                -INFINITY switches the gate off */
    int32_t sample_rate;     /* rate of the pushed mono audio: 8000..768000 Hz, default 16000 */
    int32_t speaker_mode;    /* an emoser_speaker_mode, default EMOSER_SPEAKER_ADAPTIVE */
    emoser_profile profile;  /* with EMOSER_SPEAKER_PROFILE: the speaker's profile (required); else must be NULL */
} emoser_stream_params;

/* The library's version, e.g. "0.3.0" (static storage; never NULL). */
EMOSER_API const char *emoser_version(void);

/* Message of the last failed call on this thread, "" if none failed yet (never NULL). */
EMOSER_API const char *emoser_last_error(void);

/* A short fixed description of a status (static storage; never NULL), the same for every call:
 *   EMOSER_OK "ok", EMOSER_NO_RESULT "no result ready", EMOSER_ERR_NULL_ARGUMENT "null argument",
 *   EMOSER_ERR_INVALID_ARGUMENT "invalid argument", EMOSER_ERR_INVALID_HANDLE "invalid handle",
 *   EMOSER_ERR_BUFFER_TOO_SMALL "buffer too small", EMOSER_ERR_IO "i/o error",
 *   EMOSER_ERR_AUDIO_FORMAT "invalid or unsupported audio", EMOSER_ERR_MODEL_FORMAT "invalid model",
 *   EMOSER_ERR_BUSY "in use by another thread", EMOSER_ERR_INTERNAL "internal error",
 *   EMOSER_ERR_PROFILE_FORMAT "invalid speaker profile", any other value "unknown status".
 * emoser_last_error() says what went wrong in a particular call; this names the kind. New in 0.3. */
EMOSER_API const char *emoser_status_str(emoser_status status);

/* --- Models ---------------------------------------------------------------------------- */

/* Loads the default model embedded in the library (weights/multicorpus/model.emow at build time: Model A
 * trained on Emo-DB and RAVDESS, canonical labels, with its front end and temperature). */
EMOSER_API emoser_status emoser_model_load_default(emoser_model *model_out);

/* Loads an embedded model by name: "default" (as emoser_model_load_default) or "emodb" (the Emo-DB
 * Model A, weights/model-a.emow: Emo-DB's seven labels, no front end). Any other name is
 * EMOSER_ERR_INVALID_ARGUMENT. name is UTF-8. */
EMOSER_API emoser_status emoser_model_load_named(const char *name, emoser_model *model_out);

/* Loads an EmoSer weights file (.emow, see docs/weights-format.md). path is UTF-8. A file that is not a
 * valid weights file (weights must be finite and within +-1e6), or one made for other features (feature set,
 * extractor version) than this library computes, is EMOSER_ERR_MODEL_FORMAT; an unreadable one EMOSER_ERR_IO. */
EMOSER_API emoser_status emoser_model_load_file(const char *path, emoser_model *model_out);

/* Loads a weights file from memory; the bytes are copied, data may be freed after the call. */
EMOSER_API emoser_status emoser_model_load_memory(const void *data, int64_t length, emoser_model *model_out);

/* Frees a model. Freeing a freed or unknown handle gives EMOSER_ERR_INVALID_HANDLE.
 * Streams created on the model keep working (they hold their own reference). */
EMOSER_API emoser_status emoser_model_free(emoser_model model);

/* Label names in output order. *count_out always receives the label count (on success and on
 * EMOSER_ERR_BUFFER_TOO_SMALL). names_out may be NULL with names_len 0 to ask for the count only;
 * otherwise names_len must be >= the count. The strings live until emoser_model_free(). */
EMOSER_API emoser_status emoser_model_labels(emoser_model model, const char **names_out, int32_t names_len, int32_t *count_out);

/* The sample rate the model computes its features at (Hz); input at other rates is resampled. */
EMOSER_API emoser_status emoser_model_sample_rate(emoser_model model, int32_t *rate_out);

/* The longest audio (seconds) that emoser_classify_*, emoser_classify_file and emoser_profile_add_* take on
 * this model handle: 600 by default; seconds must be in (0, 86400], else EMOSER_ERR_INVALID_ARGUMENT.
 * Longer input is EMOSER_ERR_INVALID_ARGUMENT, found before any work: from n_frames and the rate, or from
 * a WAV file's header (the file is not read). For longer recordings use a stream session (any length,
 * constant memory). Calls already running on other threads keep the limit they started with. New in 0.2.1. */
EMOSER_API emoser_status emoser_model_set_max_duration(emoser_model model, double seconds);

/* The model handle's maximum duration in seconds (see emoser_model_set_max_duration). New in 0.2.1. */
EMOSER_API emoser_status emoser_model_max_duration(emoser_model model, double *seconds_out);

/* Test-time speed copies (docs/c-api.md) of the 0.2 classify calls: a model whose weights file has speed factors
 * classifies every utterance as the mean over the utterance and its copies played at those speeds. enabled 0
 * switches them off for this model handle (a single pass: about a third of the cost, usually a little less accurate),
 * 1 (the default) back on; calls already running finish as they started. Any other value is
 * EMOSER_ERR_INVALID_ARGUMENT. Streams always classify in a single pass. */
EMOSER_DEPRECATED("use emoser_classify_params.speed_copies")
EMOSER_API emoser_status emoser_model_set_speed_copies(emoser_model model, int32_t enabled);

/* The speed factors the 0.2 classify calls on this handle average over now, e.g. {0.9, 1.1} (0.3 calls with
 * speed_copies 1 use the model's factors); *count_out is 0 for a single pass (a model without factors, or copies
 * switched off with emoser_model_set_speed_copies). Same buffer rules as emoser_model_labels:
 * factors_out may be NULL with factors_len 0 to ask for the count only. */
EMOSER_API emoser_status emoser_model_speed_factors(emoser_model model, float *factors_out, int32_t factors_len, int32_t *count_out);

/* top_index_out of a classify call whose most probable label is below the model's minimum confidence. */
#define EMOSER_LABEL_UNCERTAIN (-2)

/* Minimum confidence (docs/c-api.md): 0.2 classify calls on this model handle whose most probable label has a
 * probability below min_confidence set *top_index_out to EMOSER_LABEL_UNCERTAIN ("uncertain") instead of
 * that label's index; the probabilities are written as always. 0 (the default) never answers uncertain.
 * min_confidence must be a number in [0, 1], else EMOSER_ERR_INVALID_ARGUMENT. Calls already running
 * finish with the value they started with. Streams are not affected. */
EMOSER_DEPRECATED("use emoser_classify_params.min_confidence")
EMOSER_API emoser_status emoser_model_set_min_confidence(emoser_model model, float min_confidence);

/* The minimum confidence set with emoser_model_set_min_confidence (0 by default). */
EMOSER_DEPRECATED("use emoser_classify_params.min_confidence")
EMOSER_API emoser_status emoser_model_min_confidence(emoser_model model, float *min_confidence_out);

/* --- Classifying a whole utterance ----------------------------------------------------- */

/* The default classify options: speed_copies 1, min_confidence 0, profile NULL. New in 0.3. */
EMOSER_API emoser_classify_params emoser_classify_default_params(void);

/* Classifies interleaved float PCM (nominally [-1, 1]) of n_frames frames of `channels` channels (1..64) at
 * sample_rate Hz (8000..768000). Channels are averaged to mono, the audio is resampled to the model's rate, and
 * the label probabilities are written to probs_out[0 .. label_count). params may be NULL (the defaults).
 * probs_len must be at least the label count (emoser_model_labels). top_index_out (may be NULL) receives the index
 * of the most probable label, or EMOSER_LABEL_UNCERTAIN when its probability is below params->min_confidence.
 * A NaN, infinite or huge sample (beyond +-65536) is EMOSER_ERR_INVALID_ARGUMENT, and so is audio longer than the
 * model handle's maximum duration (emoser_model_set_max_duration) and a profile made for other features than the
 * model takes. n_frames >= 1. Safe to call from many threads on one model (and on one profile). New in 0.3. */
EMOSER_API emoser_status emoser_classify_pcm_f32(emoser_model model, const float *samples, int64_t n_frames,
                                                 int32_t sample_rate, int32_t channels,
                                                 const emoser_classify_params *params,
                                                 float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* As emoser_classify_pcm_f32 for interleaved signed 16-bit PCM (sample / 32768). New in 0.3. */
EMOSER_API emoser_status emoser_classify_pcm_s16(emoser_model model, const int16_t *samples, int64_t n_frames,
                                                 int32_t sample_rate, int32_t channels,
                                                 const emoser_classify_params *params,
                                                 float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* Reads an audio file with the library's own decoders and classifies it as emoser_classify_pcm_f32 does:
 * WAV (PCM 8/16/24/32-bit, float 32/64), AIFF/AIFF-C and FLAC, 8..768 kHz, up to 64 channels, the format
 * told from the bytes. Compressed formats such as MP3 or Ogg are EMOSER_ERR_AUDIO_FORMAT with a message
 * naming the format (the library runs no external decoder: convert them first). path is UTF-8. A missing or
 * unreadable file is EMOSER_ERR_IO; a malformed or unsupported one, one with no samples or with a float sample
 * beyond +-65536 EMOSER_ERR_AUDIO_FORMAT; a file longer than the model handle's maximum duration is
 * EMOSER_ERR_INVALID_ARGUMENT, refused from its header before the samples are decoded. New in 0.3. */
EMOSER_API emoser_status emoser_classify_audio_file(emoser_model model, const char *path,
                                                    const emoser_classify_params *params,
                                                    float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* The 0.2 calls below classify with the model handle's settings (emoser_model_set_speed_copies,
 * emoser_model_set_min_confidence) and no profile; the 0.3 calls above ignore those settings. */

/* As emoser_classify_pcm_f32 with the model handle's speed copies and minimum confidence and no profile. */
EMOSER_DEPRECATED("use emoser_classify_pcm_f32")
EMOSER_API emoser_status emoser_classify_f32(emoser_model model, const float *samples, int64_t n_frames,
                                  int32_t sample_rate, int32_t channels,
                                  float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* As emoser_classify_pcm_s16 with the model handle's speed copies and minimum confidence and no profile. */
EMOSER_DEPRECATED("use emoser_classify_pcm_s16")
EMOSER_API emoser_status emoser_classify_s16(emoser_model model, const int16_t *samples, int64_t n_frames,
                                  int32_t sample_rate, int32_t channels,
                                  float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* As emoser_classify_audio_file with the model handle's speed copies and minimum confidence. */
EMOSER_DEPRECATED("use emoser_classify_audio_file")
EMOSER_API emoser_status emoser_classify_file(emoser_model model, const char *path,
                                   float *probs_out, int32_t probs_len, int32_t *top_index_out);

/* --- Classifying a timeline ------------------------------------------------------------ */

/* One segment of a timeline (emoser_classify_segments_f32): the emotion of the audio in [start_s, end_s). New in 0.3. */
typedef struct emoser_segment {
    double start_s;      /* segment start, seconds from the first frame (at the model's rate, see below) */
    double end_s;        /* segment end, seconds */
    int32_t label_index; /* index of the most probable label, or EMOSER_LABEL_UNCERTAIN below params->min_confidence */
    float confidence;    /* probability of the most probable label */
} emoser_segment;

/* Classifies interleaved float PCM (as emoser_classify_pcm_f32: n_frames frames of `channels` channels at sample_rate
 * Hz, the same limits) as a timeline of consecutive segments of segment_s seconds: the audio is averaged to mono and
 * resampled to the model's rate once, then cut at the model's rate, so the timeline is the same whatever the input's
 * rate; a remainder shorter than half a segment joins the last segment. Each segment is classified as an utterance of
 * its own with params (NULL: the defaults; speed copies, minimum confidence and profile as for emoser_classify_pcm_f32).
 * This is the segmentation of `emoser classify --segment` and of the HTTP API's ?segment=: all three give the same
 * bounds and probabilities.
 * segment_s must be a finite number of seconds of at least 0.1 (else EMOSER_ERR_INVALID_ARGUMENT).
 * segments_out receives the segments in order, probs_out (may be NULL: no probabilities) the label probabilities of
 * segment i at probs_out[i * label_count .. (i + 1) * label_count); capacity is the number of segments both hold
 * (segments_out may be NULL only with capacity 0). *count_out receives the segment count on success and on
 * EMOSER_ERR_BUFFER_TOO_SMALL (capacity below the count; nothing else is written). The count depends on the length
 * after resampling, so it is known only after the audio has been classified: a call with too small a capacity costs
 * a full classification. To size the buffers first: with R the model's rate (emoser_model_sample_rate),
 * L = ceil(n_frames * R / sample_rate) and S = max(1, round(segment_s * R)), the count is at most ceil(L / S).
 * New in 0.3. */
EMOSER_API emoser_status emoser_classify_segments_f32(emoser_model model, const float *samples, int64_t n_frames,
                                                      int32_t sample_rate, int32_t channels, double segment_s,
                                                      const emoser_classify_params *params,
                                                      emoser_segment *segments_out, float *probs_out, int64_t capacity,
                                                      int64_t *count_out);

/* As emoser_classify_segments_f32 for interleaved signed 16-bit PCM (sample / 32768). New in 0.3. */
EMOSER_API emoser_status emoser_classify_segments_s16(emoser_model model, const int16_t *samples, int64_t n_frames,
                                                      int32_t sample_rate, int32_t channels, double segment_s,
                                                      const emoser_classify_params *params,
                                                      emoser_segment *segments_out, float *probs_out, int64_t capacity,
                                                      int64_t *count_out);

/* --- Speaker profiles ------------------------------------------------------------------ */

/* Models with speaker normalization (weights normalization 2, docs/speaker-normalization.md)
 * standardize each utterance's features with statistics of its speaker. A profile collects
 * them from utterances of one speaker (any emotion); emoser_classify_*_profile then classifies
 * with it. Without a profile, and with an empty one, the model's population statistics are
 * used (as emoser_classify_* does). A model without speaker normalization ignores profiles. */

/* Creates an empty profile whose utterances go through `model`'s feature path. The profile holds
 * its own reference: it keeps working after emoser_model_free(model). */
EMOSER_API emoser_status emoser_profile_new(emoser_model model, emoser_profile *profile_out);

/* Adds one utterance of interleaved float PCM (as emoser_classify_f32: any rate and channel
 * count, finite samples, n_frames >= 1) to the profile. A silent utterance (RMS below -50 dBFS)
 * is not added. added_out (may be NULL) receives 1 when the utterance was added, 0 when silent. */
EMOSER_API emoser_status emoser_profile_add_f32(emoser_profile profile, const float *samples, int64_t n_frames,
                                     int32_t sample_rate, int32_t channels, int32_t *added_out);

/* As emoser_profile_add_f32 for interleaved signed 16-bit PCM (sample / 32768). */
EMOSER_API emoser_status emoser_profile_add_s16(emoser_profile profile, const int16_t *samples, int64_t n_frames,
                                     int32_t sample_rate, int32_t channels, int32_t *added_out);

/* The number of utterances added so far. */
EMOSER_API emoser_status emoser_profile_count(emoser_profile profile, int64_t *count_out);

/* Frees a profile. Freeing a freed or unknown handle gives EMOSER_ERR_INVALID_HANDLE. */
EMOSER_API emoser_status emoser_profile_free(emoser_profile profile);

/* Writes the profile to path (UTF-8) as a speaker profile file (JSON, docs/speaker-normalization.md;
 * the format of `emoser enroll` and `emoser classify --speaker`), atomically: a temporary file in
 * the same folder is flushed and renamed over path, so a reader never sees a partial file and an
 * existing file is untouched on failure (EMOSER_ERR_IO). Counts as a read of the profile. */
EMOSER_API emoser_status emoser_profile_save(emoser_profile profile, const char *path);

/* Reads a speaker profile file (UTF-8 path; at most 1 MiB) into a new profile for `model`.
 * A missing or unreadable file is EMOSER_ERR_IO, malformed content EMOSER_ERR_PROFILE_FORMAT (also
 * statistics out of bounds: means within +-1e18, m2 within count x 1e36, count within 2^53), and a
 * profile of other features than the model takes (feature set, extractor version, sample rate,
 * feature count) EMOSER_ERR_INVALID_ARGUMENT; the message names the file and the problem.
 * Free the profile with emoser_profile_free. */
EMOSER_API emoser_status emoser_profile_load(emoser_model model, const char *path, emoser_profile *profile_out);

/* As emoser_classify_f32, for an utterance of the speaker described by `profile` (required; NULL is
 * EMOSER_ERR_INVALID_HANDLE). The profile must hold the features the model takes (same feature
 * set, extractor version and sample rate as its model), else EMOSER_ERR_INVALID_ARGUMENT. */
EMOSER_DEPRECATED("use emoser_classify_pcm_f32 with emoser_classify_params.profile")
EMOSER_API emoser_status emoser_classify_f32_profile(emoser_model model, const float *samples, int64_t n_frames,
                                          int32_t sample_rate, int32_t channels,
                                          float *probs_out, int32_t probs_len, int32_t *top_index_out,
                                          emoser_profile profile);

/* As emoser_classify_f32_profile for interleaved signed 16-bit PCM (sample / 32768). */
EMOSER_DEPRECATED("use emoser_classify_pcm_s16 with emoser_classify_params.profile")
EMOSER_API emoser_status emoser_classify_s16_profile(emoser_model model, const int16_t *samples, int64_t n_frames,
                                          int32_t sample_rate, int32_t channels,
                                          float *probs_out, int32_t probs_len, int32_t *top_index_out,
                                          emoser_profile profile);

/* --- Streaming ------------------------------------------------------------------------- */

/* The default stream options: window_s 3, hop_s 1, silence_dbfs -50, sample_rate 16000,
 * EMOSER_SPEAKER_ADAPTIVE, profile NULL. New in 0.3. */
EMOSER_API emoser_stream_params emoser_stream_default_params(void);

/* Opens a session that classifies the last params->window_s seconds of pushed audio every params->hop_s seconds
 * (params may be NULL: the defaults). Input is mono at params->sample_rate, of any length: the session uses
 * constant memory. Windows quieter than params->silence_dbfs are reported as silence. Windows are classified in
 * a single pass (no speed copies). Out-of-range fields, an unknown speaker mode, EMOSER_SPEAKER_PROFILE without a
 * profile (or a profile with another mode) and a profile made for other features than the model takes are
 * EMOSER_ERR_INVALID_ARGUMENT; a freed profile EMOSER_ERR_INVALID_HANDLE. The session keeps its own copy of a
 * fixed profile and its own reference to the model. New in 0.3. */
EMOSER_API emoser_status emoser_stream_open(emoser_model model, const emoser_stream_params *params, emoser_stream *stream_out);

/* As emoser_stream_open with emoser_stream_default_params() but for window_s, hop_s and sample_rate
 * (0.1 <= window_s <= 60, 0.01 <= hop_s <= 60, 8000..768000 Hz): silence below -50 dBFS, adaptive speaker. */
EMOSER_DEPRECATED("use emoser_stream_open")
EMOSER_API emoser_status emoser_stream_new(emoser_model model, double window_s, double hop_s, int32_t sample_rate,
                                emoser_stream *stream_out);

/* Appends n_samples mono samples (float, nominally [-1, 1], finite and within +-65536). n_samples may be 0. */
EMOSER_API emoser_status emoser_stream_push_f32(emoser_stream stream, const float *samples, int64_t n_samples);

/* Appends n_samples mono signed 16-bit samples. */
EMOSER_API emoser_status emoser_stream_push_s16(emoser_stream stream, const int16_t *samples, int64_t n_samples);

/* Marks the end of the input: a last, partial window (if any audio is pending) becomes a result. */
EMOSER_API emoser_status emoser_stream_complete(emoser_stream stream);

/* Takes the next ready result: EMOSER_OK and fills *result and probs_out[0 .. label_count), or
 * EMOSER_NO_RESULT when none is ready (push more audio). probs_len must be >= the label count. */
EMOSER_API emoser_status emoser_stream_next(emoser_stream stream, emoser_stream_result *result,
                                 float *probs_out, int32_t probs_len);

/* Frees a session. Freeing a freed or unknown handle gives EMOSER_ERR_INVALID_HANDLE. */
EMOSER_API emoser_status emoser_stream_free(emoser_stream stream);

#ifdef __cplusplus
}
#endif

#endif /* EMOSER_H */
