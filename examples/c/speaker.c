/*
 * speaker.c - speaker profiles with libemoser: enroll a few utterances of one speaker, save the profile,
 * load it back and classify further utterances of that speaker with it.
 *
 *   speaker [--json] [--model FILE.emow] --profile OUT.json --enroll N FILE.wav...
 *
 * The first N files (16-bit PCM WAV, any rate and channel count) are added to a new profile
 * (emoser_profile_add_s16; silent files are skipped) and the profile is saved to OUT.json
 * (emoser_profile_save: the file `emoser enroll` writes and `emoser classify --speaker` reads). The
 * profile is then freed and loaded back from the file (emoser_profile_load), as another program would,
 * and every remaining file is classified with it (emoser_classify_params.profile) and, for comparison,
 * without it (NULL params: the model's population statistics).
 *
 * A profile only changes the result with a model that has speaker normalization (weights normalization 2,
 * docs/speaker-normalization.md); other models ignore it.
 *
 * With --json the first line describes the profile,
 *   {"profile":"OUT.json","utterances":4,"enrollment_files":5}
 * and each remaining file gets a line like classify's, plus the result without the profile:
 *   {"file":"a.wav","emotion":"sad","confidence":0.8,"probabilities":{...},"population_emotion":"neutral","population_probabilities":{...}}
 * Exit code 0 when every step succeeded, 1 otherwise (the failing file and the library's message on stderr).
 */
#include "common.h"
#include "wav16.h"

static void usage(void) {
    fprintf(stderr, "usage: speaker [--json] [--model FILE.emow] --profile OUT.json --enroll N FILE.wav...\n");
}

int main(int argc, char **argv) {
    int json = 0, enroll = -1, first_file = 1, failures = 0;
    const char *model_path = NULL, *profile_path = NULL;
    for (; first_file < argc && strncmp(argv[first_file], "--", 2) == 0; first_file++) {
        const char *a = argv[first_file];
        if (strcmp(a, "--json") == 0) json = 1;
        else if (strcmp(a, "--model") == 0 && first_file + 1 < argc) model_path = argv[++first_file];
        else if (strcmp(a, "--profile") == 0 && first_file + 1 < argc) profile_path = argv[++first_file];
        else if (strcmp(a, "--enroll") == 0 && first_file + 1 < argc) enroll = atoi(argv[++first_file]);
        else { fprintf(stderr, "speaker: unknown option %s\n", a); usage(); return 2; }
    }
    int files = argc - first_file;
    if (!profile_path || enroll < 1 || enroll > files) {
        usage();
        return 2;
    }

    emoser_model model = examples_load_model(model_path);
    const char *names[EXAMPLES_MAX_LABELS];
    int count = examples_labels(model, names);

    /* 1. Enroll: one profile, the first N files added to it. */
    emoser_profile profile = NULL;
    emoser_status st = emoser_profile_new(model, &profile);
    if (st != EMOSER_OK) {
        fprintf(stderr, "cannot create a profile: %s (status %d)\n", emoser_last_error(), st);
        return 1;
    }
    for (int f = first_file; f < first_file + enroll; f++) {
        wav16 w;
        const char *problem = wav16_read(argv[f], &w);
        if (problem) {
            fprintf(stderr, "%s: %s\n", argv[f], problem);
            failures++;
            continue;
        }
        int32_t added = 0;
        st = emoser_profile_add_s16(profile, w.samples, w.frames, w.sample_rate, w.channels, &added);
        wav16_free(&w);
        if (st != EMOSER_OK) {
            fprintf(stderr, "%s: %s (status %d)\n", argv[f], emoser_last_error(), st);
            failures++;
        } else if (!added) {
            fprintf(stderr, "%s: silent, not enrolled\n", argv[f]);
        }
    }

    /* 2. Save it (atomically), free it, and load it back: what a separate enrollment step would hand over. */
    st = emoser_profile_save(profile, profile_path);
    emoser_profile_free(profile);
    profile = NULL;
    if (st != EMOSER_OK) {
        fprintf(stderr, "cannot save the profile: %s (status %d)\n", emoser_last_error(), st);
        emoser_model_free(model);
        return 1;
    }
    st = emoser_profile_load(model, profile_path, &profile);
    if (st != EMOSER_OK) {
        fprintf(stderr, "cannot load the profile: %s (status %d)\n", emoser_last_error(), st);
        emoser_model_free(model);
        return 1;
    }
    int64_t utterances = 0;
    emoser_profile_count(profile, &utterances);
    if (json) {
        fputs("{\"profile\":", stdout);
        examples_json_string(stdout, profile_path);
        printf(",\"utterances\":%lld,\"enrollment_files\":%d}\n", (long long)utterances, enroll);
    } else {
        printf("%s: %lld utterances from %d enrollment files\n", profile_path, (long long)utterances, enroll);
    }

    /* 3. Classify the other files with the loaded profile, and without one for comparison. */
    float probs[EXAMPLES_MAX_LABELS], population[EXAMPLES_MAX_LABELS];
    for (int f = first_file + enroll; f < argc; f++) {
        wav16 w;
        const char *problem = wav16_read(argv[f], &w);
        if (problem) {
            fprintf(stderr, "%s: %s\n", argv[f], problem);
            failures++;
            continue;
        }
        int32_t top = -1, population_top = -1;
        emoser_classify_params with_profile = emoser_classify_default_params();
        with_profile.profile = profile;
        st = emoser_classify_pcm_s16(model, w.samples, w.frames, w.sample_rate, w.channels, &with_profile,
                                     probs, EXAMPLES_MAX_LABELS, &top);
        if (st == EMOSER_OK)
            st = emoser_classify_pcm_s16(model, w.samples, w.frames, w.sample_rate, w.channels, NULL,
                                         population, EXAMPLES_MAX_LABELS, &population_top);
        wav16_free(&w);
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
            fputs(",\"population_emotion\":", stdout);
            examples_json_string(stdout, names[population_top]);
            fputs(",\"population_probabilities\":{", stdout);
            for (int i = 0; i < count; i++) {
                if (i) fputc(',', stdout);
                examples_json_string(stdout, names[i]);
                printf(":%.9g", population[i]);
            }
            puts("}}");
        } else {
            printf("%s: %s (%.1f%%) with the profile, %s (%.1f%%) without\n", argv[f],
                   names[top], 100.0 * probs[top], names[population_top], 100.0 * population[population_top]);
        }
    }
    emoser_profile_free(profile);
    emoser_model_free(model);
    return failures ? 1 : 0;
}
