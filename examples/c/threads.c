/*
 * threads.c - classifies utterances from many threads at once with one shared model and checks that every
 * result equals the single-threaded result for the same utterance, bit for bit.
 *
 *   threads [--threads N] [--per-thread M] [--model FILE.emow] FILE.wav...   (16-bit PCM WAVs)
 *
 * Defaults: 8 threads x 50 utterances. Thread t classifies utterance (t * M + i) mod F, i = 0..M-1, with
 * emoser_classify_pcm_s16. Prints one summary line; exit code 0 only when nothing failed and nothing differed.
 */
#include <pthread.h>

#include "common.h"
#include "wav16.h"

static emoser_model g_model;
static wav16 *g_wavs;
static int g_files, g_per_thread, g_labels;
static float *g_reference; /* g_files x g_labels */

typedef struct worker {
    int index;
    int failures, mismatches;
    double max_diff;
    char error[256];
} worker;

static void *run_worker(void *arg) {
    worker *w = (worker *)arg;
    float probs[EXAMPLES_MAX_LABELS];
    for (int i = 0; i < g_per_thread; i++) {
        int f = (w->index * g_per_thread + i) % g_files;
        int32_t top;
        emoser_status st = emoser_classify_pcm_s16(g_model, g_wavs[f].samples, g_wavs[f].frames, g_wavs[f].sample_rate,
                                                   g_wavs[f].channels, NULL, probs, EXAMPLES_MAX_LABELS, &top);
        if (st != EMOSER_OK) {
            /* emoser_last_error is thread-local: this is this thread's message. */
            snprintf(w->error, sizeof w->error, "%s", emoser_last_error());
            w->failures++;
            continue;
        }
        const float *ref = g_reference + (size_t)f * g_labels;
        if (memcmp(probs, ref, sizeof(float) * g_labels) != 0) w->mismatches++;
        for (int k = 0; k < g_labels; k++) {
            double d = probs[k] > ref[k] ? probs[k] - ref[k] : ref[k] - probs[k];
            if (d > w->max_diff) w->max_diff = d;
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    int threads = 8, first_file = 1;
    const char *model_path = NULL;
    g_per_thread = 50;
    for (; first_file < argc && strncmp(argv[first_file], "--", 2) == 0; first_file++) {
        if (strcmp(argv[first_file], "--threads") == 0 && first_file + 1 < argc) threads = atoi(argv[++first_file]);
        else if (strcmp(argv[first_file], "--per-thread") == 0 && first_file + 1 < argc) g_per_thread = atoi(argv[++first_file]);
        else if (strcmp(argv[first_file], "--model") == 0 && first_file + 1 < argc) model_path = argv[++first_file];
        else break;
    }
    g_files = argc - first_file;
    if (g_files < 1 || threads < 1 || threads > 256 || g_per_thread < 1) {
        fprintf(stderr, "usage: threads [--threads N] [--per-thread M] [--model FILE.emow] FILE.wav...\n");
        return 2;
    }

    g_model = examples_load_model(model_path);
    const char *names[EXAMPLES_MAX_LABELS];
    g_labels = examples_labels(g_model, names);
    g_wavs = (wav16 *)calloc((size_t)g_files, sizeof *g_wavs);
    g_reference = (float *)calloc((size_t)g_files * g_labels, sizeof(float));
    for (int f = 0; f < g_files; f++) {
        const char *problem = wav16_read(argv[first_file + f], &g_wavs[f]);
        if (problem) {
            fprintf(stderr, "%s: %s\n", argv[first_file + f], problem);
            return 1;
        }
        int32_t top;
        emoser_status st = emoser_classify_pcm_s16(g_model, g_wavs[f].samples, g_wavs[f].frames, g_wavs[f].sample_rate,
                                                   g_wavs[f].channels, NULL, g_reference + (size_t)f * g_labels, g_labels, &top);
        if (st != EMOSER_OK) {
            fprintf(stderr, "%s: %s (status %d)\n", argv[first_file + f], emoser_last_error(), st);
            return 1;
        }
    }

    pthread_t ids[256];
    worker workers[256];
    memset(workers, 0, sizeof workers);
    for (int t = 0; t < threads; t++) {
        workers[t].index = t;
        if (pthread_create(&ids[t], NULL, run_worker, &workers[t]) != 0) {
            fprintf(stderr, "threads: pthread_create failed\n");
            return 1;
        }
    }
    int failures = 0, mismatches = 0;
    double max_diff = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        failures += workers[t].failures;
        mismatches += workers[t].mismatches;
        if (workers[t].max_diff > max_diff) max_diff = workers[t].max_diff;
        if (workers[t].failures) fprintf(stderr, "thread %d: %s\n", t, workers[t].error);
    }
    printf("threads: %d threads x %d utterances (%d files): %d classifications, %d failed, %d differ from single-threaded, max |diff| %.3g\n",
           threads, g_per_thread, g_files, threads * g_per_thread, failures, mismatches, max_diff);
    for (int f = 0; f < g_files; f++) wav16_free(&g_wavs[f]);
    free(g_wavs);
    free(g_reference);
    emoser_model_free(g_model);
    return failures || mismatches ? 1 : 0;
}
