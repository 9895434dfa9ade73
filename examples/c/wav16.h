/*
 * wav16.h - a minimal reader for 16-bit PCM WAV files, shared by the examples that feed raw samples to
 * emoser_classify_s16 (classify.c uses the library's own loader, emoser_classify_file, instead).
 * Reads RIFF/WAVE with a "fmt " chunk of format 1 (PCM) or 0xFFFE (extensible) at 16 bits per sample.
 */
#ifndef EMOSER_EXAMPLES_WAV16_H
#define EMOSER_EXAMPLES_WAV16_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct wav16 {
    int16_t *samples;  /* interleaved, frames * channels */
    int64_t frames;
    int32_t sample_rate;
    int32_t channels;
} wav16;

static inline uint32_t wav16_u32(const unsigned char *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static inline uint16_t wav16_u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Reads path into *out; returns NULL on success or a static message saying what is wrong. */
static inline const char *wav16_read(const char *path, wav16 *out) {
    FILE *f = fopen(path, "rb");
    unsigned char h[12], ch[8], fmt[40];
    int have_fmt = 0;
    memset(out, 0, sizeof *out);
    if (!f) return "cannot open file";
    if (fread(h, 1, 12, f) != 12 || memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0) {
        fclose(f);
        return "not a RIFF/WAVE file";
    }
    while (fread(ch, 1, 8, f) == 8) {
        uint32_t size = wav16_u32(ch + 4);
        if (memcmp(ch, "fmt ", 4) == 0) {
            if (size < 16 || size > sizeof fmt || fread(fmt, 1, size, f) != size) break;
            if (size & 1) fseek(f, 1, SEEK_CUR);
            uint16_t format = wav16_u16(fmt), bits = wav16_u16(fmt + 14);
            out->channels = wav16_u16(fmt + 2);
            out->sample_rate = (int32_t)wav16_u32(fmt + 4);
            if ((format != 1 && format != 0xFFFE) || bits != 16 || out->channels < 1) {
                fclose(f);
                return "not 16-bit PCM";
            }
            have_fmt = 1;
        } else if (memcmp(ch, "data", 4) == 0) {
            if (!have_fmt) break;
            int64_t frames = size / (2 * (uint32_t)out->channels);
            if (frames <= 0) { fclose(f); return "no audio data"; }
            out->samples = (int16_t *)malloc((size_t)frames * out->channels * 2);
            if (!out->samples) { fclose(f); return "out of memory"; }
            size_t n = fread(out->samples, 2, (size_t)(frames * out->channels), f);
            fclose(f);
            if (n != (size_t)(frames * out->channels)) { free(out->samples); out->samples = NULL; return "truncated data chunk"; }
            out->frames = frames;
            /* WAV is little-endian, as are both targets (x64, arm64). */
            return NULL;
        } else if (fseek(f, (long)size + (size & 1), SEEK_CUR) != 0) {
            break;
        }
    }
    fclose(f);
    return "no fmt/data chunk";
}

static inline void wav16_free(wav16 *w) { free(w->samples); w->samples = NULL; }

#endif
