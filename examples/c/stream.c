/*
 * stream.c - classifies a live stream: raw signed 16-bit little-endian mono PCM on stdin, one line per result.
 *
 *   stream [--rate HZ] [--window S] [--hop S] [--model FILE.emow] < audio.s16le
 *
 * Defaults: 16000 Hz, 3 s windows every 1 s. Each line is JSON:
 *   {"start":0,"end":3,"silence":false,"emotion":"angry","confidence":0.9,"probabilities":{...}}
 * At end of input the last partial window is flushed (emoser_stream_complete).
 */
#include "common.h"

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
    int32_t rate = 16000;
    double window = 3, hop = 1;
    const char *model_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rate") == 0 && i + 1 < argc) rate = atoi(argv[++i]);
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) window = atof(argv[++i]);
        else if (strcmp(argv[i], "--hop") == 0 && i + 1 < argc) hop = atof(argv[++i]);
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) model_path = argv[++i];
        else {
            fprintf(stderr, "usage: stream [--rate HZ] [--window S] [--hop S] [--model FILE.emow] < audio.s16le\n");
            return 2;
        }
    }

    emoser_model model = examples_load_model(model_path);
    const char *names[EXAMPLES_MAX_LABELS];
    int count = examples_labels(model, names);
    emoser_stream stream = NULL;
    emoser_status st = emoser_stream_new(model, window, hop, rate, &stream);
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
