/*
 * stream.c - classifies a live stream: raw signed 16-bit little-endian mono PCM on stdin, one line per result.
 *
 *   stream [--rate HZ] [--window S] [--hop S] [--silence-db DB] [--no-adapt] [--model FILE.emow] [--api 0.2] < audio.s16le
 *
 * Defaults (emoser_stream_default_params): 16000 Hz, 3 s windows every 1 s, silence below -50 dBFS, adapting to
 * the speaker. --api 0.2 opens the session with the deprecated emoser_stream_new (window, hop and rate only).
 * Each line is JSON:
 *   {"start":0,"end":3,"silence":false,"emotion":"angry","confidence":0.9,"probabilities":{...}}
 * At end of input the last partial window is flushed (emoser_stream_complete).
 */
#include "common.h"

/* The 0.2 way, kept to show (and test) that it still works: the deprecation warning is silenced here only. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
static emoser_status open_v02(emoser_model model, const emoser_stream_params *p, emoser_stream *stream) {
    return emoser_stream_new(model, p->window_s, p->hop_s, p->sample_rate, stream);
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

static int drain(emoser_stream stream, const char **names, int count) {
    emoser_stream_result r;
    float probs[EXAMPLES_MAX_LABELS];
    emoser_status st;
    while ((st = emoser_stream_next(stream, &r, probs, EXAMPLES_MAX_LABELS)) == EMOSER_OK) {
        printf("{\"start\":%.6g,\"end\":%.6g,\"silence\":%s,\"emotion\":", r.start_s, r.end_s, r.silence ? "true" : "false");
        if (r.silence || r.label_index < 0) fputs("null", stdout);
        else examples_json_string(stdout, names[r.label_index]);
        printf(",\"confidence\":%.9g,", r.confidence);
        examples_json_probs(stdout, names, probs, count);
        puts("}");
    }
    fflush(stdout);
    if (st != EMOSER_NO_RESULT) {
        fprintf(stderr, "stream: %s (status %d)\n", emoser_last_error(), st);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    emoser_stream_params params = emoser_stream_default_params();
    const char *model_path = NULL;
    int api02 = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) params.sample_rate = atoi(argv[++i]);
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) params.window_s = atof(argv[++i]);
        else if (strcmp(argv[i], "--hop") == 0 && i + 1 < argc) params.hop_s = atof(argv[++i]);
        else if (strcmp(argv[i], "--silence-db") == 0 && i + 1 < argc) params.silence_dbfs = atof(argv[++i]);
        else if (strcmp(argv[i], "--no-adapt") == 0) params.speaker_mode = EMOSER_SPEAKER_POPULATION;
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) model_path = argv[++i];
        else if (strcmp(argv[i], "--api") == 0 && i + 1 < argc && strcmp(argv[i + 1], "0.2") == 0) api02 = 1, i++;
        else {
            fprintf(stderr, "usage: stream [--rate HZ] [--window S] [--hop S] [--silence-db DB] [--no-adapt] [--model FILE.emow] [--api 0.2] < audio.s16le\n");
            return 2;
        }
    }

    emoser_model model = examples_load_model(model_path);
    const char *names[EXAMPLES_MAX_LABELS];
    int count = examples_labels(model, names);
    emoser_stream stream = NULL;
    emoser_status st = api02 ? open_v02(model, &params, &stream) : emoser_stream_open(model, &params, &stream);
    if (st != EMOSER_OK) {
        fprintf(stderr, "stream: %s (status %d)\n", emoser_last_error(), st);
        return 1;
    }

    int16_t buffer[4096];
    size_t n;
    int failed = 0;
    while (!failed && (n = fread(buffer, sizeof buffer[0], sizeof buffer / sizeof buffer[0], stdin)) > 0) {
        if ((st = emoser_stream_push_s16(stream, buffer, (int64_t)n)) != EMOSER_OK) {
            fprintf(stderr, "stream: %s (status %d)\n", emoser_last_error(), st);
            failed = 1;
        } else {
            failed = drain(stream, names, count);
        }
    }
    if (!failed) {
        if ((st = emoser_stream_complete(stream)) != EMOSER_OK) {
            fprintf(stderr, "stream: %s (status %d)\n", emoser_last_error(), st);
            failed = 1;
        } else {
            failed = drain(stream, names, count);
        }
    }
    emoser_stream_free(stream);
    emoser_model_free(model);
    return failed;
}
