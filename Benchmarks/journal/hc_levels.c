// LZ4HC levels 9-12 on the full independent blocks of journal segments: the bytes each level
// stores, its compression time, and its decompression time (one pass each, no medians: a quick
// comparison of levels, not a speed figure).
//   cc -O2 -o /tmp/hc_levels Benchmarks/journal/hc_levels.c -llz4
//   /tmp/hc_levels DATA/journal/*.seg
// Reads the block layout of Docs/journal-format.md: segment header length at offset 12, 64-byte
// block headers with the codec at 6 and the lengths at 48 and 52; linked blocks (codec 2) are
// skipped, since they only decompress against the blocks before them.
#include <lz4.h>
#include <lz4hc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LEVELS = 4, HEADER = 64 };
static const int levels[LEVELS] = {9, 10, 11, 12};

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static uint32_t u32(const unsigned char *p) {
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int main(int argc, char **argv) {
    long long stored[LEVELS] = {0}, original = 0, raw = 0, blocks = 0;
    double compress[LEVELS] = {0}, decompress[LEVELS] = {0};
    for (int f = 1; f < argc; f++) {
        FILE *file = fopen(argv[f], "rb");
        if (!file) { perror(argv[f]); return 1; }
        fseek(file, 0, SEEK_END);
        long size = ftell(file);
        fseek(file, 0, SEEK_SET);
        unsigned char *bytes = malloc(size);
        if (fread(bytes, 1, size, file) != (size_t)size) { fprintf(stderr, "%s: short read\n", argv[f]); return 1; }
        fclose(file);
        long offset = u32(bytes + 12);
        while (offset + HEADER <= size) {
            uint32_t length = u32(bytes + offset + 48), compressed = u32(bytes + offset + 52);
            if (bytes[offset + 6] != 1) { offset += HEADER + compressed; continue; }
            char *payload = malloc(length + 64), *out = malloc(LZ4_compressBound(length)), *back = malloc(length + 64);
            if (LZ4_decompress_safe((char *)bytes + offset + HEADER, payload, compressed, length) != (int)length) {
                fprintf(stderr, "%s: block at %ld does not decompress\n", argv[f], offset);
                return 1;
            }
            original += compressed;
            raw += length;
            blocks++;
            for (int i = 0; i < LEVELS; i++) {
                double start = now();
                int written = LZ4_compress_HC(payload, out, length, LZ4_compressBound(length), levels[i]);
                compress[i] += now() - start;
                stored[i] += written;
                start = now();
                for (int k = 0; k < 5; k++) LZ4_decompress_safe(out, back, written, length);
                decompress[i] += (now() - start) / 5;
            }
            free(payload);
            free(out);
            free(back);
            offset += HEADER + compressed;
        }
        free(bytes);
    }
    printf("blocks %lld, payload %lld bytes, stored %lld bytes\n", blocks, raw, original);
    for (int i = 0; i < LEVELS; i++)
        printf("level %d: %lld bytes (%.4f of stored), compress %.2f s, decompress %.3f s\n", levels[i], stored[i],
               (double)stored[i] / original, compress[i], decompress[i]);
    return 0;
}
