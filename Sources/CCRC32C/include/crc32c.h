#ifndef INFINITY_CRC32C_H
#define INFINITY_CRC32C_H
// CRC-32C with the processor's own instruction (SSE 4.2 on x86-64), for the journal's and the
// rollups' checksums. Swift has no portable way to reach it; the Swift code keeps a software
// version for processors without it and checks that both agree.
#include <stddef.h>
#include <stdint.h>

/// Whether this processor has the CRC-32C instruction.
int infinity_crc32c_available(void);

/// The CRC-32C of `count` bytes at `bytes`, continuing from `crc` (0 to start). Only call it when
/// `infinity_crc32c_available()` says so.
uint32_t infinity_crc32c(uint32_t crc, const void *bytes, size_t count);

#endif
