/*
 * misuse.c - calls libemoser the wrong way on purpose and checks that every misuse comes back as the
 * documented status code with a message saying what was wrong, never a crash: null and stale handles,
 * bad lengths and buffers, and input beyond the limits (sample rate, sample magnitude, maximum duration).
 * It covers the 0.3 functions (params structs, emoser_status_str) and the deprecated 0.2 ones, which must
 * keep working: it defines EMOSER_NO_DEPRECATION_WARNINGS, as a program still on 0.2 may.
 *
 *   misuse [NOT_A_WAV_FILE]     (defaults to the program itself, which is not a WAV file)
 *
 * Prints one line per check ("ok" or "FAIL") and a summary; exit code 0 only when every check passed.
 */
#define EMOSER_NO_DEPRECATION_WARNINGS /* calls the 0.2 functions on purpose */

#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#include "common.h"

static int g_checks, g_failed;

/* Checks that a call returned `want` and that emoser_last_error() contains `text` (NULL: not checked). */
static void expect(const char *name, emoser_status got, emoser_status want, const char *text) {
    const char *message = got == EMOSER_OK || got == EMOSER_NO_RESULT ? "" : emoser_last_error();
    int ok = got == want && (text == NULL || strstr(message, text) != NULL);
    g_checks++;
    if (!ok) g_failed++;
    printf("%s %s: status %d (want %d): %s\n", ok ? "ok  " : "FAIL", name, got, want, message);
    if (!ok && text) printf("     expected the message to contain: %s\n", text);
}

static void expect_true(const char *name, int condition, const char *detail) {
    g_checks++;
    if (!condition) g_failed++;
    printf("%s %s: %s\n", condition ? "ok  " : "FAIL", name, detail);
}

static char g_thread_message[256];

static void *fail_on_other_thread(void *arg) {
    (void)arg;
    emoser_model_sample_rate(NULL, NULL); /* fails with "model handle is NULL" on this thread only */
    snprintf(g_thread_message, sizeof g_thread_message, "%s", emoser_last_error());
    return NULL;
}

int main(int argc, char **argv) {
    const char *not_wav = argc > 1 ? argv[1] : argv[0];
    float probs[EXAMPLES_MAX_LABELS];
    const char *names[EXAMPLES_MAX_LABELS];
    int32_t count = -1, top = -1, rate = 0;
    emoser_model model = NULL, other = NULL;
    emoser_stream stream = NULL;
    char detail[256];

    expect_true("version", strcmp(emoser_version(), EMOSER_VERSION_STRING) == 0, emoser_version());
    expect_true("no error yet", strcmp(emoser_last_error(), "") == 0, "emoser_last_error() is \"\" before any failure");

    /* Loading */
    expect("load_default(NULL)", emoser_model_load_default(NULL), EMOSER_ERR_NULL_ARGUMENT, "model_out is NULL");
    expect("load_file(NULL path)", emoser_model_load_file(NULL, &model), EMOSER_ERR_NULL_ARGUMENT, "path is NULL");
    expect("load_file(missing)", emoser_model_load_file("/nonexistent/model.emow", &model), EMOSER_ERR_IO, "/nonexistent/model.emow: file not found");
    expect("load_file(not a model)", emoser_model_load_file(not_wav, &model), EMOSER_ERR_MODEL_FORMAT, NULL);
    expect("load_memory(NULL data)", emoser_model_load_memory(NULL, 16, &model), EMOSER_ERR_NULL_ARGUMENT, "data is NULL");
    expect("load_memory(negative length)", emoser_model_load_memory("x", -1, &model), EMOSER_ERR_INVALID_ARGUMENT, "length must be in [1, 2147483647], got -1");
    expect("load_memory(garbage)", emoser_model_load_memory("not a weights file", 18, &model), EMOSER_ERR_MODEL_FORMAT, NULL);
    expect_true("failed loads leave model_out alone", model == NULL, "model is still NULL");
    expect("load_default", emoser_model_load_default(&model), EMOSER_OK, NULL);
    if (!model) {
        printf("misuse: no model, cannot go on\n");
        return 1;
    }

    /* Null, foreign and wrong-kind handles */
    expect("labels(NULL model)", emoser_model_labels(NULL, names, EXAMPLES_MAX_LABELS, &count), EMOSER_ERR_INVALID_HANDLE, "model handle is NULL");
    expect("sample_rate(foreign handle)", emoser_model_sample_rate((emoser_model)(uintptr_t)0x12345678, &rate), EMOSER_ERR_INVALID_HANDLE, "is not a model handle");
    expect("sample_rate(stack pointer)", emoser_model_sample_rate((emoser_model)(void *)&rate, &rate), EMOSER_ERR_INVALID_HANDLE, "is not a model handle");
    expect("sample_rate(NULL rate_out)", emoser_model_sample_rate(model, NULL), EMOSER_ERR_NULL_ARGUMENT, "rate_out is NULL");
    expect("sample_rate", emoser_model_sample_rate(model, &rate), EMOSER_OK, NULL);

    /* Labels: count only, short buffer, full buffer */
    expect("labels(count only)", emoser_model_labels(model, NULL, 0, &count), EMOSER_OK, NULL);
    int32_t labels = count;
    expect("labels(names_len 3)", emoser_model_labels(model, names, 3, &count), EMOSER_ERR_BUFFER_TOO_SMALL, "names_len is 3 but the model has");
    expect_true("short labels buffer still reports the count", count == labels, "count_out set on EMOSER_ERR_BUFFER_TOO_SMALL");
    expect("labels(negative names_len)", emoser_model_labels(model, names, -1, &count), EMOSER_ERR_INVALID_ARGUMENT, "names_len must not be negative, got -1");
    expect("labels(NULL count_out)", emoser_model_labels(model, names, EXAMPLES_MAX_LABELS, NULL), EMOSER_ERR_NULL_ARGUMENT, "count_out is NULL");
    expect("labels", emoser_model_labels(model, names, EXAMPLES_MAX_LABELS, &count), EMOSER_OK, NULL);

    /* Classify arguments: a one-second 220 Hz tone at 16 kHz */
    static int16_t tone[16000];
    static float tone_f[16000];
    for (int i = 0; i < 16000; i++) {
        tone_f[i] = 0.3f * (float)sin(2 * 3.14159265358979 * 220 * i / 16000.0);
        tone[i] = (int16_t)(tone_f[i] * 32767);
    }
    expect("classify_f32(NULL samples)", emoser_classify_f32(model, NULL, 16000, 16000, 1, probs, labels, &top), EMOSER_ERR_NULL_ARGUMENT, "samples is NULL");
    expect("classify_f32(NULL probs_out)", emoser_classify_f32(model, tone_f, 16000, 16000, 1, NULL, labels, &top), EMOSER_ERR_NULL_ARGUMENT, "probs_out is NULL");
    snprintf(detail, sizeof detail, "probs_len is %d but the model has %d labels", labels - 1, labels);
    expect("classify_f32(short probs buffer)", emoser_classify_f32(model, tone_f, 16000, 16000, 1, probs, labels - 1, &top), EMOSER_ERR_BUFFER_TOO_SMALL, detail);
    expect("classify_s16(negative n_frames)", emoser_classify_s16(model, tone, -5, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "n_frames must be in [1, ");
    expect("classify_s16(zero n_frames)", emoser_classify_s16(model, tone, 0, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "got 0");
    expect("classify_s16(sample_rate 0)", emoser_classify_s16(model, tone, 16000, 0, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "sample_rate must be in [8000, 768000], got 0");
    expect("classify_s16(sample_rate 7999)", emoser_classify_s16(model, tone, 16000, 7999, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "sample_rate must be in [8000, 768000], got 7999");
    expect("classify_s16(channels 0)", emoser_classify_s16(model, tone, 16000, 16000, 0, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "channels must be in [1, 64], got 0");
    tone_f[100] = NAN;
    expect("classify_f32(NaN sample)", emoser_classify_f32(model, tone_f, 16000, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "samples[100] is NaN; samples must be finite and within");
    tone_f[100] = 1e20f; /* finite, but its square overflows the features: refused, never NaN probabilities */
    expect("classify_f32(sample 1e20)", emoser_classify_f32(model, tone_f, 16000, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "samples[100] is 1E+20; samples must be finite and within \xc2\xb1" "65536");
    tone_f[100] = 0;

    /* The maximum duration of classify, classify_file and profile_add calls (default 600 s) */
    double seconds = 0;
    expect("max_duration", emoser_model_max_duration(model, &seconds), EMOSER_OK, NULL);
    expect_true("default max duration is 600 s", seconds == 600, "600 s");
    expect("max_duration(NULL seconds_out)", emoser_model_max_duration(model, NULL), EMOSER_ERR_NULL_ARGUMENT, "seconds_out is NULL");
    expect("set_max_duration(0)", emoser_model_set_max_duration(model, 0), EMOSER_ERR_INVALID_ARGUMENT, "seconds must be more than 0 and at most 86400 seconds, got 0");
    expect("set_max_duration(NaN)", emoser_model_set_max_duration(model, NAN), EMOSER_ERR_INVALID_ARGUMENT, "got NaN");
    expect("set_max_duration(86401)", emoser_model_set_max_duration(model, 86401), EMOSER_ERR_INVALID_ARGUMENT, "got 86401");
    expect("set_max_duration(0.5)", emoser_model_set_max_duration(model, 0.5), EMOSER_OK, NULL);
    expect("classify_s16(1 s, limit 0.5 s)", emoser_classify_s16(model, tone, 16000, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT,
           "n_frames 16000 at 16000 Hz are 1 s, longer than the model handle's maximum duration of 0.5 s");
    char long_wav[64];
    snprintf(long_wav, sizeof long_wav, "/tmp/emoser-misuse-%ld.wav", (long)getpid());
    FILE *wav = fopen(long_wav, "wb");
    if (wav) {
        /* A canonical 16-bit mono WAV header for 1 s at 16 kHz, then the tone */
        const unsigned char header[44] = {'R','I','F','F', 36, 0x7D, 0, 0, 'W','A','V','E','f','m','t',' ', 16, 0, 0, 0, 1, 0, 1, 0,
                                          0x80, 0x3E, 0, 0, 0, 0x7D, 0, 0, 2, 0, 16, 0, 'd','a','t','a', 0, 0x7D, 0, 0};
        fwrite(header, 1, sizeof header, wav);
        fwrite(tone, sizeof tone[0], 16000, wav);
        fclose(wav);
    }
    expect("classify_file(1 s, limit 0.5 s)", emoser_classify_file(model, long_wav, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "1 s of audio is longer than the 0.5 s limit");
    expect("set_max_duration(2)", emoser_model_set_max_duration(model, 2), EMOSER_OK, NULL);
    expect("classify_file(1 s, limit 2 s)", emoser_classify_file(model, long_wav, probs, labels, &top), EMOSER_OK, NULL);
    remove(long_wav);
    expect("set_max_duration(600)", emoser_model_set_max_duration(model, 600), EMOSER_OK, NULL);
    expect("classify_file(NULL path)", emoser_classify_file(model, NULL, probs, labels, &top), EMOSER_ERR_NULL_ARGUMENT, "path is NULL");
    expect("classify_file(missing)", emoser_classify_file(model, "/nonexistent/a.wav", probs, labels, &top), EMOSER_ERR_IO, "/nonexistent/a.wav: file not found");
    expect("classify_file(not a WAV)", emoser_classify_file(model, not_wav, probs, labels, &top), EMOSER_ERR_AUDIO_FORMAT, NULL);

    /* A valid call still works after all of the above, and NULL top_index_out is allowed */
    expect("classify_s16(tone)", emoser_classify_s16(model, tone, 16000, 16000, 1, probs, labels, NULL), EMOSER_OK, NULL);
    double sum = 0;
    for (int i = 0; i < labels; i++) sum += probs[i];
    snprintf(detail, sizeof detail, "sum %.6f", sum);
    expect_true("probabilities sum to 1", fabs(sum - 1) < 1e-4, detail);
    expect("classify_f32(tone, 2 channels at 8 kHz)", emoser_classify_f32(model, tone_f, 8000, 8000, 2, probs, labels, &top), EMOSER_OK, NULL);

    /* Minimum confidence: "uncertain" is EMOSER_LABEL_UNCERTAIN in top_index_out, the probabilities stay */
    float min_confidence = -1;
    expect("set_min_confidence(1.5)", emoser_model_set_min_confidence(model, 1.5f), EMOSER_ERR_INVALID_ARGUMENT, "min_confidence must be a number in [0, 1], got 1.5");
    expect("set_min_confidence(NaN)", emoser_model_set_min_confidence(model, NAN), EMOSER_ERR_INVALID_ARGUMENT, "min_confidence must be a number in [0, 1], got NaN");
    expect("set_min_confidence(NULL model)", emoser_model_set_min_confidence(NULL, 0.5f), EMOSER_ERR_INVALID_HANDLE, "model handle is NULL");
    expect("min_confidence(NULL out)", emoser_model_min_confidence(model, NULL), EMOSER_ERR_NULL_ARGUMENT, "min_confidence_out is NULL");
    expect("min_confidence(default)", emoser_model_min_confidence(model, &min_confidence), EMOSER_OK, NULL);
    expect_true("min confidence is 0 by default", min_confidence == 0, "0");
    expect("set_min_confidence(1)", emoser_model_set_min_confidence(model, 1), EMOSER_OK, NULL);
    expect("classify_s16(tone, min confidence 1)", emoser_classify_s16(model, tone, 16000, 16000, 1, probs, labels, &top), EMOSER_OK, NULL);
    snprintf(detail, sizeof detail, "top %d", top);
    expect_true("below the minimum: EMOSER_LABEL_UNCERTAIN", top == EMOSER_LABEL_UNCERTAIN, detail);
    sum = 0;
    for (int i = 0; i < labels; i++) sum += probs[i];
    expect_true("uncertain still writes the probabilities", fabs(sum - 1) < 1e-4, "sum 1");
    expect("set_min_confidence(0)", emoser_model_set_min_confidence(model, 0), EMOSER_OK, NULL);
    expect("classify_s16(tone, min confidence 0)", emoser_classify_s16(model, tone, 16000, 16000, 1, probs, labels, &top), EMOSER_OK, NULL);
    expect_true("minimum 0: a label", top >= 0 && top < labels, detail);

    /* Embedded models by name */
    expect("load_named(NULL name)", emoser_model_load_named(NULL, &other), EMOSER_ERR_NULL_ARGUMENT, "name is NULL");
    expect("load_named(unknown)", emoser_model_load_named("best", &other), EMOSER_ERR_INVALID_ARGUMENT, "no embedded model named 'best' (known: default, emodb)");
    expect("load_named(emodb)", emoser_model_load_named("emodb", &other), EMOSER_OK, NULL);
    expect("model_free(emodb)", emoser_model_free(other), EMOSER_OK, NULL);

    /* Stale handles: double free, use after free, and a reused slot does not revive the old handle */
    expect("load_default(second)", emoser_model_load_default(&other), EMOSER_OK, NULL);
    emoser_model stale = other;
    expect("model_free", emoser_model_free(other), EMOSER_OK, NULL);
    expect("model_free(again)", emoser_model_free(stale), EMOSER_ERR_INVALID_HANDLE, "was already freed");
    expect("classify_s16(freed model)", emoser_classify_s16(stale, tone, 16000, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_HANDLE, "was already freed");
    expect("load_default(third)", emoser_model_load_default(&other), EMOSER_OK, NULL);
    expect_true("new handle differs from the freed one", other != stale, "generation counter");
    expect("sample_rate(freed model, slot reused)", emoser_model_sample_rate(stale, &rate), EMOSER_ERR_INVALID_HANDLE, "was already freed");
    expect("model_free(third)", emoser_model_free(other), EMOSER_OK, NULL);

    /* Streams */
    emoser_stream_result result;
    expect("stream_new(window 0)", emoser_stream_new(model, 0, 1, 16000, &stream), EMOSER_ERR_INVALID_ARGUMENT, "window_s must be in [0.1, 60], got 0");
    expect("stream_new(hop NaN)", emoser_stream_new(model, 3, NAN, 16000, &stream), EMOSER_ERR_INVALID_ARGUMENT, "hop_s must be in [0.01, 60]");
    expect("stream_new(sample_rate 100)", emoser_stream_new(model, 3, 1, 100, &stream), EMOSER_ERR_INVALID_ARGUMENT, "sample_rate must be in [8000, 768000], got 100");
    expect("stream_new(NULL stream_out)", emoser_stream_new(model, 3, 1, 16000, NULL), EMOSER_ERR_NULL_ARGUMENT, "stream_out is NULL");
    expect("stream_new", emoser_stream_new(model, 3, 1, 16000, &stream), EMOSER_OK, NULL);
    expect("model call with a stream handle", emoser_model_sample_rate((emoser_model)(void *)stream, &rate), EMOSER_ERR_INVALID_HANDLE, "is a stream handle, not a model handle");
    expect("stream call with a model handle", emoser_stream_push_s16((emoser_stream)(void *)model, tone, 10), EMOSER_ERR_INVALID_HANDLE, "is a model handle, not a stream handle");
    expect("stream_push_s16(NULL samples)", emoser_stream_push_s16(stream, NULL, 10), EMOSER_ERR_NULL_ARGUMENT, "samples is NULL");
    expect("stream_push_s16(negative n_samples)", emoser_stream_push_s16(stream, tone, -1), EMOSER_ERR_INVALID_ARGUMENT, "n_samples must not be negative, got -1");
    expect("stream_push_f32(0 samples)", emoser_stream_push_f32(stream, NULL, 0), EMOSER_OK, NULL);
    tone_f[7] = -3e38f;
    expect("stream_push_f32(sample -3e38)", emoser_stream_push_f32(stream, tone_f, 16000), EMOSER_ERR_INVALID_ARGUMENT, "samples[7] is -3E+38; samples must be finite and within");
    tone_f[7] = 0;
    expect("stream_next(nothing yet)", emoser_stream_next(stream, &result, probs, labels), EMOSER_NO_RESULT, NULL);
    expect("stream_next(NULL result)", emoser_stream_next(stream, NULL, probs, labels), EMOSER_ERR_NULL_ARGUMENT, "result is NULL");
    expect("stream_next(short probs buffer)", emoser_stream_next(stream, &result, probs, 1), EMOSER_ERR_BUFFER_TOO_SMALL, "probs_len is 1 but the model has");
    expect("stream_free", emoser_stream_free(stream), EMOSER_OK, NULL);
    expect("stream_free(again)", emoser_stream_free(stream), EMOSER_ERR_INVALID_HANDLE, "stream handle");
    expect("stream_push_s16(freed stream)", emoser_stream_push_s16(stream, tone, 10), EMOSER_ERR_INVALID_HANDLE, "was already freed");
    expect("stream_free(NULL)", emoser_stream_free(NULL), EMOSER_ERR_INVALID_HANDLE, "stream handle is NULL");

    /* 0.3: status strings, params structs and their defaults */
    static const struct { emoser_status status; const char *text; } status_texts[] = {
        {EMOSER_OK, "ok"}, {EMOSER_NO_RESULT, "no result ready"}, {EMOSER_ERR_NULL_ARGUMENT, "null argument"},
        {EMOSER_ERR_INVALID_ARGUMENT, "invalid argument"}, {EMOSER_ERR_INVALID_HANDLE, "invalid handle"},
        {EMOSER_ERR_BUFFER_TOO_SMALL, "buffer too small"}, {EMOSER_ERR_IO, "i/o error"},
        {EMOSER_ERR_AUDIO_FORMAT, "invalid or unsupported audio"}, {EMOSER_ERR_MODEL_FORMAT, "invalid model"},
        {EMOSER_ERR_BUSY, "in use by another thread"}, {EMOSER_ERR_INTERNAL, "internal error"},
        {EMOSER_ERR_PROFILE_FORMAT, "invalid speaker profile"}, {(emoser_status)42, "unknown status"},
    };
    for (size_t i = 0; i < sizeof status_texts / sizeof status_texts[0]; i++) {
        snprintf(detail, sizeof detail, "status_str(%d)", (int)status_texts[i].status);
        expect_true(detail, strcmp(emoser_status_str(status_texts[i].status), status_texts[i].text) == 0, emoser_status_str(status_texts[i].status));
    }
    emoser_classify_params cp = emoser_classify_default_params();
    expect_true("classify defaults", cp.speed_copies == 1 && cp.min_confidence == 0 && cp.profile == NULL, "speed_copies 1, min_confidence 0, profile NULL");
    emoser_stream_params sp = emoser_stream_default_params();
    expect_true("stream defaults", sp.window_s == 3 && sp.hop_s == 1 && sp.silence_dbfs == -50 && sp.sample_rate == 16000
                && sp.speaker_mode == EMOSER_SPEAKER_ADAPTIVE && sp.profile == NULL, "3 s, 1 s, -50 dBFS, 16000 Hz, adaptive, no profile");

    /* 0.3 classify: the same results as 0.2 for the same options, options checked */
    float probs02[EXAMPLES_MAX_LABELS];
    int32_t top02 = -1;
    expect("classify_s16(tone) [0.2]", emoser_classify_s16(model, tone, 16000, 16000, 1, probs02, labels, &top02), EMOSER_OK, NULL);
    expect("classify_pcm_s16(tone, NULL params)", emoser_classify_pcm_s16(model, tone, 16000, 16000, 1, NULL, probs, labels, &top), EMOSER_OK, NULL);
    expect_true("0.3 defaults = 0.2 defaults", memcmp(probs, probs02, sizeof(float) * (size_t)labels) == 0 && top == top02, "same probabilities, same top");
    expect("set_speed_copies(0) [0.2]", emoser_model_set_speed_copies(model, 0), EMOSER_OK, NULL);
    expect("classify_s16(tone, single pass) [0.2]", emoser_classify_s16(model, tone, 16000, 16000, 1, probs02, labels, &top02), EMOSER_OK, NULL);
    expect("set_speed_copies(1) [0.2]", emoser_model_set_speed_copies(model, 1), EMOSER_OK, NULL);
    cp.speed_copies = 0;
    expect("classify_pcm_s16(tone, speed_copies 0)", emoser_classify_pcm_s16(model, tone, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_OK, NULL);
    expect_true("speed_copies 0 = set_speed_copies(0)", memcmp(probs, probs02, sizeof(float) * (size_t)labels) == 0, "same probabilities");
    cp = emoser_classify_default_params();
    cp.speed_copies = 2;
    expect("classify_pcm_s16(speed_copies 2)", emoser_classify_pcm_s16(model, tone, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "params->speed_copies must be 0 or 1, got 2");
    cp = emoser_classify_default_params();
    cp.min_confidence = 1.5f;
    expect("classify_pcm_f32(min_confidence 1.5)", emoser_classify_pcm_f32(model, tone_f, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "params->min_confidence must be a number in [0, 1], got 1.5");
    cp.min_confidence = 1;
    expect("classify_pcm_f32(min_confidence 1)", emoser_classify_pcm_f32(model, tone_f, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_OK, NULL);
    snprintf(detail, sizeof detail, "top %d", top);
    expect_true("params below the minimum: EMOSER_LABEL_UNCERTAIN", top == EMOSER_LABEL_UNCERTAIN, detail);
    cp = emoser_classify_default_params();
    cp.profile = (emoser_profile)(void *)model;
    expect("classify_pcm_f32(model handle as profile)", emoser_classify_pcm_f32(model, tone_f, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_ERR_INVALID_HANDLE, "is a model handle, not a profile handle");
    emoser_profile empty = NULL;
    expect("profile_new", emoser_profile_new(model, &empty), EMOSER_OK, NULL);
    cp.profile = empty;
    expect("classify_pcm_s16(empty profile)", emoser_classify_pcm_s16(model, tone, 16000, 16000, 1, &cp, probs, labels, &top), EMOSER_OK, NULL);
    expect("classify_s16_profile(empty profile) [0.2]", emoser_classify_s16_profile(model, tone, 16000, 16000, 1, probs02, labels, &top02, empty), EMOSER_OK, NULL);
    expect_true("profile in params = profile argument", memcmp(probs, probs02, sizeof(float) * (size_t)labels) == 0, "same probabilities");
    expect("classify_pcm_s16(NULL samples)", emoser_classify_pcm_s16(model, NULL, 16000, 16000, 1, NULL, probs, labels, &top), EMOSER_ERR_NULL_ARGUMENT, "samples is NULL");
    expect("classify_audio_file(NULL path)", emoser_classify_audio_file(model, NULL, NULL, probs, labels, &top), EMOSER_ERR_NULL_ARGUMENT, "path is NULL");
    expect("classify_audio_file(missing)", emoser_classify_audio_file(model, "/nonexistent/a.wav", NULL, probs, labels, &top), EMOSER_ERR_IO, "/nonexistent/a.wav: file not found");
    expect("classify_audio_file(not a WAV)", emoser_classify_audio_file(model, not_wav, NULL, probs, labels, &top), EMOSER_ERR_AUDIO_FORMAT, NULL);

    /* 0.3 streams: every field checked against the runtime's limits; silence threshold and speaker mode honoured */
    sp.window_s = 120;
    expect("stream_open(window_s 120)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->window_s must be in [0.1, 60], got 120");
    expect("stream_new(window 120) [0.2]", emoser_stream_new(model, 120, 1, 16000, &stream), EMOSER_ERR_INVALID_ARGUMENT, "window_s must be in [0.1, 60], got 120");
    sp = emoser_stream_default_params();
    sp.hop_s = 0;
    expect("stream_open(hop_s 0)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->hop_s must be in [0.01, 60], got 0");
    sp = emoser_stream_default_params();
    sp.silence_dbfs = 3;
    expect("stream_open(silence_dbfs 3)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->silence_dbfs must be a level of at most 0 dBFS");
    sp = emoser_stream_default_params();
    sp.sample_rate = 100;
    expect("stream_open(sample_rate 100)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->sample_rate must be in [8000, 768000], got 100");
    sp = emoser_stream_default_params();
    sp.speaker_mode = 7;
    expect("stream_open(speaker_mode 7)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->speaker_mode must be");
    sp.speaker_mode = EMOSER_SPEAKER_PROFILE;
    expect("stream_open(profile mode, no profile)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->speaker_mode is EMOSER_SPEAKER_PROFILE but params->profile is NULL");
    sp.speaker_mode = EMOSER_SPEAKER_ADAPTIVE;
    sp.profile = empty;
    expect("stream_open(profile, adaptive mode)", emoser_stream_open(model, &sp, &stream), EMOSER_ERR_INVALID_ARGUMENT, "params->profile is set but params->speaker_mode is not EMOSER_SPEAKER_PROFILE");
    sp.speaker_mode = EMOSER_SPEAKER_PROFILE;
    expect("stream_open(fixed profile)", emoser_stream_open(model, &sp, &stream), EMOSER_OK, NULL);
    expect("stream_free(fixed profile)", emoser_stream_free(stream), EMOSER_OK, NULL);
    expect("stream_open(NULL stream_out)", emoser_stream_open(model, NULL, NULL), EMOSER_ERR_NULL_ARGUMENT, "stream_out is NULL");
    /* A 1 s tone at -13.5 dBFS in 0.5 s windows: silence above a 0 dBFS threshold, classified with no gate. */
    for (int gate = 0; gate < 2; gate++) {
        sp = emoser_stream_default_params();
        sp.window_s = 0.5;
        sp.hop_s = 0.5;
        sp.silence_dbfs = gate ? 0 : -INFINITY;
        expect(gate ? "stream_open(silence_dbfs 0)" : "stream_open(silence_dbfs -inf)", emoser_stream_open(model, &sp, &stream), EMOSER_OK, NULL);
        expect("stream_push_s16(tone)", emoser_stream_push_s16(stream, tone, 16000), EMOSER_OK, NULL);
        int results = 0, silent = 0;
        while (emoser_stream_next(stream, &result, probs, labels) == EMOSER_OK) {
            results++;
            silent += result.silence;
        }
        snprintf(detail, sizeof detail, "%d results, %d silent", results, silent);
        expect_true(gate ? "a 0 dBFS gate reports silence" : "no gate: every window classified", results > 0 && silent == (gate ? results : 0), detail);
        expect("stream_free", emoser_stream_free(stream), EMOSER_OK, NULL);
    }
    expect("profile_free(empty)", emoser_profile_free(empty), EMOSER_OK, NULL);

    /* The last error is per thread */
    expect("classify_s16(n_frames -7)", emoser_classify_s16(model, tone, -7, 16000, 1, probs, labels, &top), EMOSER_ERR_INVALID_ARGUMENT, "got -7");
    pthread_t thread;
    pthread_create(&thread, NULL, fail_on_other_thread, NULL);
    pthread_join(thread, NULL);
    expect_true("other thread saw its own error", strstr(g_thread_message, "model handle is NULL") != NULL, g_thread_message);
    expect_true("this thread's error is unchanged", strstr(emoser_last_error(), "got -7") != NULL, emoser_last_error());

    expect("model_free(default)", emoser_model_free(model), EMOSER_OK, NULL);
    expect("model_free(NULL)", emoser_model_free(NULL), EMOSER_ERR_INVALID_HANDLE, "model handle is NULL");

    printf("misuse: %d checks, %d failed\n", g_checks, g_failed);
    return g_failed ? 1 : 0;
}
