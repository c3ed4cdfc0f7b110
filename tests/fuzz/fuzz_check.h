/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* CHECK() for the fuzz targets: active in every build (not assert()). */
#ifndef VNH_FUZZ_CHECK_H
#define VNH_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			__LINE__, #cond); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#endif
