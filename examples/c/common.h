/* common.h - small helpers shared by the examples: model loading and JSON printing. */
#ifndef EMOSER_EXAMPLES_COMMON_H
#define EMOSER_EXAMPLES_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emoser.h"

#define EXAMPLES_MAX_LABELS 1024

/* Loads the model at path, or the embedded default when path is NULL; exits 1 with a message on failure. */
static inline emoser_model examples_load_model(const char *path) {
    emoser_model model = NULL;
    emoser_status st = path ? emoser_model_load_file(path, &model) : emoser_model_load_default(&model);
    if (st != EMOSER_OK) {
        fprintf(stderr, "%s: cannot load model: %s (status %d)\n", path ? path : "default model", emoser_last_error(), st);
        exit(1);
    }
    return model;
}

/* Label names of model into names[EXAMPLES_MAX_LABELS]; returns the count, exits 1 on failure. */
static inline int examples_labels(emoser_model model, const char **names) {
    int32_t count = 0;
    emoser_status st = emoser_model_labels(model, names, EXAMPLES_MAX_LABELS, &count);
    if (st != EMOSER_OK) {
        fprintf(stderr, "cannot read labels: %s (status %d)\n", emoser_last_error(), st);
        exit(1);
    }
    return count;
}

/* Prints s as a JSON string literal. */
static inline void examples_json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
        else if (c < 0x20) fprintf(out, "\\u%04x", c);
        else fputc(c, out);
    }
    fputc('"', out);
}

/* Prints "probabilities":{"label":p,...} with enough digits to round-trip a float. */
static inline void examples_json_probs(FILE *out, const char **names, const float *probs, int count) {
    fputs("\"probabilities\":{", out);
    for (int i = 0; i < count; i++) {
        if (i) fputc(',', out);
        examples_json_string(out, names[i]);
        fprintf(out, ":%.9g", probs[i]);
    }
    fputc('}', out);
}

#endif
