// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Hashing speed: the bit-by-bit Toeplitz reference (the baseline, like
 * QEMU's steering program) against the per-key table, and whole-frame
 * hashing (one frame a call, and 64), measured in the same run. Prints
 * the median ns per call of 7 rounds (CPU time of this thread, as
 * `vnethash bench`); asserts nothing. `vnethash bench` has the full set
 * with DPDK's baselines and the spread; this is the library alone.
 *
 * The inputs are 64 variants written before the timing starts and cycled
 * through: storing into the input before each call would time the
 * store-to-load forwarding stall of the vector load, not the hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_clock.h"
#include "vnethash.h"

#define POOL	64
#define ROUNDS	7

static volatile uint32_t sink;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The median of ROUNDS rounds of @iters evaluations of @expr, per
 * evaluation divided by @per (the frames one evaluation hashes).
 */
#define MEASURE(label, iters, per, expr) do {				\
	double t_[ROUNDS];						\
	uint32_t h_ = 0;						\
	for (int r_ = 0; r_ < ROUNDS; r_++) {				\
		double t0_ = bench_now_ns();				\
		for (unsigned long i_ = 0; i_ < (iters); i_++) {	\
			unsigned int k = (unsigned int)(i_ % POOL);	\
			h_ ^= (expr);					\
		}							\
		t_[r_] = (bench_now_ns() - t0_) / (double)(iters) / (per); \
	}								\
	sink = h_;							\
	qsort(t_, ROUNDS, sizeof(t_[0]), cmp_double);			\
	printf("%-44s %8.2f ns\n", label, t_[ROUNDS / 2]);		\
} while (0)

int main(int argc, char **argv)
{
	static struct vnh_toeplitz_table table;
	static uint8_t input[POOL][VNH_HASH_INPUT_MAX];
	static uint8_t tcp4[POOL][54], tcp6[POOL][74];
	static const void *p4[POOL], *p6[POOL];
	static size_t l4[POOL], l6[POOL];
	static struct vnh_result many[POOL];
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_result res;
	unsigned int i, k;

	if (!rss || !n)
		return 1;
	for (k = 0; k < POOL; k++) {
		for (i = 0; i < VNH_HASH_INPUT_MAX; i++)
			input[k][i] = (uint8_t)(i ? i * 37 + 11 : k * 3 + 1);
		/* Ethernet + IPv4 + TCP, Ethernet + IPv6 + TCP. */
		memset(tcp4[k], 0, sizeof(tcp4[k]));
		tcp4[k][12] = 0x08;
		tcp4[k][14] = 0x45;
		tcp4[k][23] = 6;
		tcp4[k][29] = (uint8_t)k;
		tcp4[k][46] = 0x50;
		memset(tcp6[k], 0, sizeof(tcp6[k]));
		tcp6[k][12] = 0x86;
		tcp6[k][13] = 0xdd;
		tcp6[k][14] = 0x60;
		tcp6[k][20] = 6;
		tcp6[k][37] = (uint8_t)k;
		tcp6[k][66] = 0x50;
		p4[k] = tcp4[k];
		l4[k] = sizeof(tcp4[k]);
		p6[k] = tcp6[k];
		l6[k] = sizeof(tcp6[k]);
	}
	vnh_toeplitz_table_init(&table, vnh_default_key, VNH_KEY_SIZE_MAX);
	vnh_rss_set_spread(rss, 4, 128);

	printf("%-44s %11s\n", "operation (median of 7 rounds)", "time/call");
	MEASURE("toeplitz bitwise, IPv4 4-tuple (12 B)", n / 10 + 1, 1,
		vnh_toeplitz(vnh_default_key, 40, input[k], 12));
	MEASURE("toeplitz table,   IPv4 4-tuple (12 B)", n, 1,
		vnh_toeplitz_table_hash(&table, input[k], 12));
	MEASURE("toeplitz bitwise, IPv6 4-tuple (36 B)", n / 10 + 1, 1,
		vnh_toeplitz(vnh_default_key, 40, input[k], 36));
	MEASURE("toeplitz table,   IPv6 4-tuple (36 B)", n, 1,
		vnh_toeplitz_table_hash(&table, input[k], 36));
	MEASURE("frame TCP/IPv4 parse+hash+queue", n, 1,
		(vnh_rss_hash_frame(rss, tcp4[k], sizeof(tcp4[k]), &res),
		 res.hash ^ res.queue));
	MEASURE("frame TCP/IPv6 parse+hash+queue", n, 1,
		(vnh_rss_hash_frame(rss, tcp6[k], sizeof(tcp6[k]), &res),
		 res.hash ^ res.queue));
	MEASURE("frames TCP/IPv4, 64 a call (per frame)", n / POOL + 1, POOL,
		(vnh_rss_hash_frames(rss, p4, l4, POOL, many), many[k].hash));
	MEASURE("frames TCP/IPv6, 64 a call (per frame)", n / POOL + 1, POOL,
		(vnh_rss_hash_frames(rss, p6, l6, POOL, many), many[k].hash));
	printf("(Toeplitz implementation: %s; CPU time of this thread)\n",
	       vnh_toeplitz_impl());
	vnh_rss_free(rss);
	return 0;
}
