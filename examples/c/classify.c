/*
 * classify.c - classifies WAV files with libemoser and prints the top emotion and all probabilities.
 *
 *   classify [--json] [--model FILE.emow | --model-name NAME] [--min-confidence P] FILE.wav...
 *
 * Uses the library's own WAV loader (emoser_classify_file), so any PCM/float WAV at any rate works.
 * With --json, prints one machine-readable line per file:
 *   {"file":"a.wav","emotion":"angry","confidence":0.91,"probabilities":{"angry":0.91,...}}
 * --model-name loads an embedded model by name (default, emodb). With --min-confidence P, a file whose most
 * probable emotion has a probability below P is reported as "uncertain" (emoser_model_set_min_confidence).
 * Exit code 0 when every file was classified, 1 otherwise (the failing files are named on stderr).
 */
#include "common.h"

int main(int argc, char **argv) {
    int json = 0, failures = 0, first_file = 1;
    const char *model_path = NULL, *model_name = NULL;
    float min_confidence = 0;
    for (; first_file < argc && strncmp(argv[first_file], "--", 2) == 0; first_file++) {
        if (strcmp(argv[first_file], "--json") == 0) json = 1;
        else if (strcmp(argv[first_file], "--model") == 0 && first_file + 1 < argc) model_path = argv[++first_file];
        else if (strcmp(argv[first_file], "--model-name") == 0 && first_file + 1 < argc) model_name = argv[++first_file];
        else if (strcmp(argv[first_file], "--min-confidence") == 0 && first_file + 1 < argc) min_confidence = strtof(argv[++first_file], NULL);
        else { fprintf(stderr, "classify: unknown option %s\n", argv[first_file]); return 2; }
    }
    if (first_file >= argc) {
        fprintf(stderr, "usage: classify [--json] [--model FILE.emow | --model-name NAME] [--min-confidence P] FILE.wav...\n");
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
    if (emoser_model_set_min_confidence(model, min_confidence) != EMOSER_OK) {
        fprintf(stderr, "classify: %s\n", emoser_last_error());
        return 2;
    }
    const char *names[EXAMPLES_MAX_LABELS];
    int count = examples_labels(model, names);
    float probs[EXAMPLES_MAX_LABELS];

    for (int f = first_file; f < argc; f++) {
        int32_t top = -1;
        emoser_status st = emoser_classify_file(model, argv[f], probs, EXAMPLES_MAX_LABELS, &top);
        if (st != EMOSER_OK) {
            fprintf(stderr, "%s: %s (status %d)\n", argv[f], emoser_last_error(), st);
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
