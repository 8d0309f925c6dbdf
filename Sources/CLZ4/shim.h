#ifndef INFINITY_CLZ4_SHIM_H
#define INFINITY_CLZ4_SHIM_H
// The system liblz4 (Debian: liblz4-dev). Only the block API is used: the journal
// frames its own blocks, with lengths and checksums in each block header.
#include <lz4.h>
#include <lz4hc.h>
#endif
