// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DPDK's rte_softrss_be() for `vnethash bench` (see bench_dpdk.h). Built
 * with libdpdk's compile flags; the GFNI part is in bench_dpdk_gfni.c,
 * built with the GFNI/AVX-512 flags DPDK's header needs and called only on
 * CPUs that have them.
 */
#include <rte_byteorder.h>
#include <rte_cpuflags.h>
#include <rte_thash.h>
#include <rte_version.h>
#include <string.h>

#include "bench_clock.h"
#include "bench_dpdk.h"

static uint32_t conv_key[10];
uint8_t bench_dpdk_key[40];
static volatile uint32_t sink;

const char *bench_dpdk_version(void)
{
	return rte_version();
}

void bench_dpdk_set_key(const uint8_t key[40])
{
	uint32_t orig[10];

	memcpy(bench_dpdk_key, key, 40);
	memcpy(orig, key, 40);
	rte_convert_rss_key(orig, conv_key, 40);
}

static void to_words(const uint8_t *in, size_t len, uint32_t *w)
{
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = (uint32_t)in[4 * i] << 24 | (uint32_t)in[4 * i + 1] << 16 |
		       (uint32_t)in[4 * i + 2] << 8 | in[4 * i + 3];
}

uint32_t bench_dpdk_softrss(const uint8_t *in, size_t len)
{
	uint32_t w[9];

	to_words(in, len, w);
	return rte_softrss_be(w, (uint32_t)(len / 4), (const uint8_t *)conv_key);
}

double bench_dpdk_softrss_ns(uint8_t (*pool)[64], unsigned int n, size_t len,
			     unsigned long iters)
{
	static uint32_t w[64][16];
	unsigned long i;
	uint32_t h = 0;
	double t0;

	for (i = 0; i < 64 && i < n; i++)
		to_words(pool[i], len, w[i]);
	t0 = bench_now_ns();
	for (i = 0; i < iters; i++)
		h ^= rte_softrss_be(w[i & 63], (uint32_t)(len / 4),
				    (const uint8_t *)conv_key);
	t0 = (bench_now_ns() - t0) / (double)iters;
	sink = h;
	return t0;
}
