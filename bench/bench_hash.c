// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hashing speed: the bit-by-bit Toeplitz reference (the baseline, like
 * QEMU's steering program) against the per-key table, and whole-frame
 * hashing, measured in the same run. Prints ns per call; asserts nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vnethash.h"

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static volatile uint32_t sink;

#define MEASURE(label, iters, expr) do {				\
	double t0 = now_ns();						\
	for (unsigned long i_ = 0; i_ < (iters); i_++) {		\
		input[0] = (uint8_t)i_;					\
		sink ^= (expr);						\
	}								\
	printf("%-36s %8.1f ns\n", label, (now_ns() - t0) / (iters));	\
} while (0)

int main(int argc, char **argv)
{
	static struct vnh_toeplitz_table table;
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	uint8_t input[VNH_HASH_INPUT_MAX];
	uint8_t tcp4[54] = { [12] = 0x08, [13] = 0x00, [14] = 0x45,
			     [23] = 6, [46] = 0x50 };
	uint8_t tcp6[74] = { [12] = 0x86, [13] = 0xdd, [14] = 0x60,
			     [20] = 6, [66] = 0x50 };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_result res;

	for (unsigned int i = 0; i < sizeof(input); i++)
		input[i] = (uint8_t)(i * 37 + 11);
	vnh_toeplitz_table_init(&table, vnh_default_key, VNH_KEY_SIZE_MAX);
	vnh_rss_set_spread(rss, 4, 128);

	printf("%-36s %11s\n", "operation", "time/call");
	MEASURE("toeplitz bitwise, IPv4 4-tuple (12 B)", n,
		vnh_toeplitz(vnh_default_key, 40, input, 12));
	MEASURE("toeplitz table,   IPv4 4-tuple (12 B)", n,
		vnh_toeplitz_table_hash(&table, input, 12));
	MEASURE("toeplitz bitwise, IPv6 4-tuple (36 B)", n,
		vnh_toeplitz(vnh_default_key, 40, input, 36));
	MEASURE("toeplitz table,   IPv6 4-tuple (36 B)", n,
		vnh_toeplitz_table_hash(&table, input, 36));
	MEASURE("frame TCP/IPv4 parse+hash+queue", n,
		(tcp4[29] = input[0],
		 vnh_rss_hash_frame(rss, tcp4, sizeof(tcp4), &res), res.hash));
	MEASURE("frame TCP/IPv6 parse+hash+queue", n,
		(tcp6[37] = input[0],
		 vnh_rss_hash_frame(rss, tcp6, sizeof(tcp6), &res), res.hash));
	vnh_rss_free(rss);
	return 0;
}
