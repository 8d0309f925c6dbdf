#ifndef INFINITY_CZLIB_SHIM_H
#define INFINITY_CZLIB_SHIM_H
// The system zlib (Debian: zlib1g-dev), for reading .gz access logs in-process.
#include <zlib.h>
#endif
