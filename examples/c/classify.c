/*
 * classify.c - classifies WAV files with libemoser and prints the top emotion and all probabilities.
 *
 *   classify [--json] [--model FILE.emow] FILE.wav...
 *
 * Uses the library's own WAV loader (emoser_classify_file), so any PCM/float WAV at any rate works.
 * With --json, prints one machine-readable line per file:
 *   {"file":"a.wav","emotion":"angry","confidence":0.91,"probabilities":{"angry":0.91,...}}
 * Exit code 0 when every file was classified, 1 otherwise (the failing files are named on stderr).
 */
#include "common.h"

int main(int argc, char **argv) {
    int json = 0, failures = 0, first_file = 1;
    const char *model_path = NULL;
    for (; first_file < argc && strncmp(argv[first_file], "--", 2) == 0; first_file++) {
        if (strcmp(argv[first_file], "--json") == 0) json = 1;
        else if (strcmp(argv[first_file], "--model") == 0 && first_file + 1 < argc) model_path = argv[++first_file];
        else { fprintf(stderr, "classify: unknown option %s\n", argv[first_file]); return 2; }
    }
    if (first_file >= argc) {
        fprintf(stderr, "usage: classify [--json] [--model FILE.emow] FILE.wav...\n");
        return 2;
    }

    emoser_model model = examples_load_model(model_path);
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
        if (json) {
            fputs("{\"file\":", stdout);
            examples_json_string(stdout, argv[f]);
            fputs(",\"emotion\":", stdout);
            examples_json_string(stdout, names[top]);
            printf(",\"confidence\":%.9g,", probs[top]);
            examples_json_probs(stdout, names, probs, count);
            puts("}");
        } else {
            printf("%s: %s (%.1f%%)\n", argv[f], names[top], 100.0 * probs[top]);
            for (int i = 0; i < count; i++)
                printf("  %-10s %.4f\n", names[i], probs[i]);
        }
    }
    emoser_model_free(model);
    return failures ? 1 : 0;
}
