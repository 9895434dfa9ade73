/*
 * capi-probe.c - runs one of issue 19's reproductions through libemoser's C API and prints one line:
 * the status, and either the probabilities (flagging any that are not finite) or emoser_last_error()
 * (its length, whether it has several lines, and its first 160 characters).
 *
 *   capi-probe file AUDIO.wav                   emoser_classify_file with the embedded model
 *   capi-probe model MODEL.emow AUDIO.wav       emoser_model_load_file, then emoser_classify_file
 *   capi-probe profile PROFILE.json AUDIO.wav   emoser_profile_load, then emoser_classify_s16_profile (16-bit WAV)
 *   capi-probe f32 SAMPLES.f32 RATE             emoser_classify_f32 on raw float samples
 */
#include <math.h>
#include <stdint.h>

#include "common.h"
#include "wav16.h"

static int report(emoser_status st, const float *probs, int count) {
    if (st != EMOSER_OK) {
        const char *e = emoser_last_error();
        printf("status %d: error of %zu bytes%s: %.160s\n", st, strlen(e), strchr(e, '\n') ? ", several lines" : "", e);
        return 1;
    }
    int finite = 1;
    for (int i = 0; i < count; i++) finite &= isfinite(probs[i]);
    printf("status 0: %s probabilities [", finite ? "finite" : "NON-FINITE");
    for (int i = 0; i < count; i++) printf("%s%g", i ? ", " : "", probs[i]);
    printf("]\n");
    return finite ? 0 : 2;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: capi-probe file|model|profile|f32 ...\n");
        return 64;
    }
    float probs[EXAMPLES_MAX_LABELS];
    emoser_model model = NULL;
    const char *mode = argv[1];
    if (strcmp(mode, "model") == 0) {
        emoser_status st = emoser_model_load_file(argv[2], &model);
        if (st != EMOSER_OK) return report(st, NULL, 0);
        argv++;
    } else {
        model = examples_load_model(NULL);
    }
    const char *names[EXAMPLES_MAX_LABELS];
    int labels = examples_labels(model, names);
    if (strcmp(mode, "file") == 0 || strcmp(mode, "model") == 0)
        return report(emoser_classify_file(model, argv[2], probs, EXAMPLES_MAX_LABELS, NULL), probs, labels);
    if (strcmp(mode, "profile") == 0 && argc > 3) {
        emoser_profile profile = NULL;
        emoser_status st = emoser_profile_load(model, argv[2], &profile);
        if (st != EMOSER_OK) return report(st, NULL, 0);
        wav16 w;
        const char *problem = wav16_read(argv[3], &w);
        if (problem) { fprintf(stderr, "%s: %s\n", argv[3], problem); return 64; }
        return report(emoser_classify_s16_profile(model, w.samples, w.frames, w.sample_rate, w.channels, probs, EXAMPLES_MAX_LABELS, NULL, profile), probs, labels);
    }
    if (strcmp(mode, "f32") == 0 && argc > 3) {
        FILE *f = fopen(argv[2], "rb");
        if (!f) { perror(argv[2]); return 64; }
        fseek(f, 0, SEEK_END);
        long bytes = ftell(f);
        fseek(f, 0, SEEK_SET);
        float *samples = malloc(bytes);
        if (fread(samples, 1, bytes, f) != (size_t)bytes) { perror(argv[2]); return 64; }
        fclose(f);
        return report(emoser_classify_f32(model, samples, bytes / 4, atoi(argv[3]), 1, probs, EXAMPLES_MAX_LABELS, NULL), probs, labels);
    }
    fprintf(stderr, "capi-probe: unknown mode '%s'\n", mode);
    return 64;
}
