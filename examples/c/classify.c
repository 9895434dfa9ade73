/*
 * classify.c - classifies WAV files with libemoser and prints the top emotion and all probabilities.
 *
 *   classify [--json] [--model FILE.emow | --model-name NAME] [--min-confidence P] [--single-pass] [--api 0.2] FILE.wav...
 *
 * Uses the library's own audio decoders (emoser_classify_audio_file), so any WAV, AIFF or FLAC at any rate works.
 * With --json, prints one machine-readable line per file:
 *   {"file":"a.wav","emotion":"angry","confidence":0.91,"probabilities":{"angry":0.91,...}}
 * --model-name loads an embedded model by name (default, emodb). With --min-confidence P, a file whose most
 * probable emotion has a probability below P is reported as "uncertain" (emoser_classify_params.min_confidence);
 * --single-pass skips the model's test-time speed copies (emoser_classify_params.speed_copies = 0).
 * --api 0.2 makes the same calls through the deprecated 0.2 functions (emoser_model_set_min_confidence,
 * emoser_model_set_speed_copies, emoser_classify_file): the output is the same.
 * Exit code 0 when every file was classified, 1 otherwise (the failing files are named on stderr).
 */
#include "common.h"

/* The 0.2 way, kept to show (and test) that it still works: the deprecation warnings are silenced here only. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
static emoser_status classify_v02(emoser_model model, const char *path, float min_confidence, int single_pass,
                                  float *probs, int32_t *top) {
    emoser_status st = emoser_model_set_min_confidence(model, min_confidence);
    if (st == EMOSER_OK) st = emoser_model_set_speed_copies(model, !single_pass);
    if (st == EMOSER_OK) st = emoser_classify_file(model, path, probs, EXAMPLES_MAX_LABELS, top);
    return st;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

int main(int argc, char **argv) {
    int json = 0, failures = 0, first_file = 1, single_pass = 0, api02 = 0;
    const char *model_path = NULL, *model_name = NULL;
    float min_confidence = 0;
    for (; first_file < argc && strncmp(argv[first_file], "--", 2) == 0; first_file++) {
        if (strcmp(argv[first_file], "--json") == 0) json = 1;
        else if (strcmp(argv[first_file], "--model") == 0 && first_file + 1 < argc) model_path = argv[++first_file];
        else if (strcmp(argv[first_file], "--model-name") == 0 && first_file + 1 < argc) model_name = argv[++first_file];
        else if (strcmp(argv[first_file], "--min-confidence") == 0 && first_file + 1 < argc) min_confidence = strtof(argv[++first_file], NULL);
        else if (strcmp(argv[first_file], "--single-pass") == 0) single_pass = 1;
        else if (strcmp(argv[first_file], "--api") == 0 && first_file + 1 < argc && strcmp(argv[first_file + 1], "0.2") == 0) api02 = 1, first_file++;
        else { fprintf(stderr, "classify: unknown option %s\n", argv[first_file]); return 2; }
    }
    if (first_file >= argc) {
        fprintf(stderr, "usage: classify [--json] [--model FILE.emow | --model-name NAME] [--min-confidence P] [--single-pass] [--api 0.2] FILE.wav...\n");
        return 2;
    }

    emoser_model model = NULL;
    if (model_name) {
        if (emoser_model_load_named(model_name, &model) != EMOSER_OK) {
            fprintf(stderr, "classify: %s\n", emoser_last_error());
            return 1;
        }
    } else {
        model = examples_load_model(model_path);
    }
    emoser_classify_params params = emoser_classify_default_params();
    params.min_confidence = min_confidence;
    params.speed_copies = !single_pass;
    const char *names[EXAMPLES_MAX_LABELS];
    int count = examples_labels(model, names);
    float probs[EXAMPLES_MAX_LABELS];

    for (int f = first_file; f < argc; f++) {
        int32_t top = -1;
        emoser_status st = api02 ? classify_v02(model, argv[f], min_confidence, single_pass, probs, &top)
                                 : emoser_classify_audio_file(model, argv[f], &params, probs, EXAMPLES_MAX_LABELS, &top);
        if (st != EMOSER_OK) {
            fprintf(stderr, "%s: %s (%s, status %d)\n", argv[f], emoser_last_error(), emoser_status_str(st), st);
            failures++;
            continue;
        }
        /* Below the minimum confidence the answer is "uncertain"; the probabilities still say what was likeliest. */
        int best = 0;
        for (int i = 1; i < count; i++)
            if (probs[i] > probs[best]) best = i;
        const char *emotion = top == EMOSER_LABEL_UNCERTAIN ? "uncertain" : names[top];
        if (json) {
            fputs("{\"file\":", stdout);
            examples_json_string(stdout, argv[f]);
            fputs(",\"emotion\":", stdout);
            examples_json_string(stdout, emotion);
            printf(",\"confidence\":%.9g,", probs[best]);
            examples_json_probs(stdout, names, probs, count);
            puts("}");
        } else {
            printf("%s: %s (%.1f%%)\n", argv[f], emotion, 100.0 * probs[best]);
            for (int i = 0; i < count; i++)
                printf("  %-10s %.4f\n", names[i], probs[i]);
        }
    }
    emoser_model_free(model);
    return failures ? 1 : 0;
}
