#include "crc32c.h"

#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int infinity_crc32c_available(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

__attribute__((target("sse4.2")))
uint32_t infinity_crc32c(uint32_t crc, const void *bytes, size_t count) {
    const unsigned char *p = bytes;
    uint64_t state = ~crc;
    while (count >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        state = _mm_crc32_u64(state, word);
        p += 8;
        count -= 8;
    }
    uint32_t small = (uint32_t)state;
    while (count > 0) {
        small = _mm_crc32_u8(small, *p);
        p += 1;
        count -= 1;
    }
    return ~small;
}
#else
int infinity_crc32c_available(void) { return 0; }

uint32_t infinity_crc32c(uint32_t crc, const void *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;
}
#endif
