/*
 * timing.c - per-call time of emoser_classify_pcm_s16 on a 3 s utterance: the median (and p10/p90) of N calls.
 *
 *   timing [--iterations N] [--seconds S] [--model FILE.emow] [--single-pass] FILE.wav    (16-bit PCM WAV, at least S seconds)
 *
 * Defaults: 1000 iterations of the first 3 s, after 20 warm-up calls, with the model's test-time speed copies
 * (--single-pass: emoser_classify_params.speed_copies = 0). Prints one line:
 *   timing: emoser_classify_pcm_s16 3.00 s @ 16000 Hz x 1000: median 4.123 ms, p10 ..., p90 ..., min ...
 */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include "common.h"
#include "wav16.h"

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int iterations = 1000, i = 1;
    double seconds = 3;
    const char *model_path = NULL;
    int single_pass = 0;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) iterations = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = atof(argv[++i]);
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) model_path = argv[++i];
        else if (strcmp(argv[i], "--single-pass") == 0) single_pass = 1;
        else break;
    }
    if (i != argc - 1 || iterations < 1 || !(seconds > 0)) {
        fprintf(stderr, "usage: timing [--iterations N] [--seconds S] [--model FILE.emow] [--single-pass] FILE.wav\n");
        return 2;
    }
    wav16 wav;
    const char *problem = wav16_read(argv[i], &wav);
    if (problem) {
        fprintf(stderr, "%s: %s\n", argv[i], problem);
        return 1;
    }
    int64_t frames = (int64_t)(seconds * wav.sample_rate + 0.5);
    if (wav.frames < frames) {
        fprintf(stderr, "%s: %.2f s long, shorter than %.2f s\n", argv[i], (double)wav.frames / wav.sample_rate, seconds);
        return 1;
    }

    emoser_model model = examples_load_model(model_path);
    emoser_classify_params params = emoser_classify_default_params();
    params.speed_copies = !single_pass;
    int32_t copies = 0;
    if (!single_pass) emoser_model_speed_factors(model, NULL, 0, &copies);
    float probs[EXAMPLES_MAX_LABELS];
    int32_t top;
    double *ms = (double *)malloc(sizeof(double) * (size_t)iterations);
    for (int k = -20; k < iterations; k++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        emoser_status st = emoser_classify_pcm_s16(model, wav.samples, frames, wav.sample_rate, wav.channels, &params, probs, EXAMPLES_MAX_LABELS, &top);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (st != EMOSER_OK) {
            fprintf(stderr, "%s: %s (status %d)\n", argv[i], emoser_last_error(), st);
            return 1;
        }
        if (k >= 0) ms[k] = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    }
    qsort(ms, (size_t)iterations, sizeof(double), compare_doubles);
    printf("timing: emoser_classify_pcm_s16 %.2f s @ %d Hz, %d speed copies, x %d: median %.3f ms, p10 %.3f ms, p90 %.3f ms, min %.3f ms\n",
           seconds, wav.sample_rate, copies, iterations, ms[iterations / 2], ms[iterations / 10], ms[iterations * 9 / 10], ms[0]);
    free(ms);
    wav16_free(&wav);
    emoser_model_free(model);
    return 0;
}
