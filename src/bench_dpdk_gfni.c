// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * DPDK's rte_thash_gfni() for `vnethash bench` (see bench_dpdk.h). DPDK
 * defines it only when the compiler targets GFNI and AVX-512, so this file
 * is built with those flags; its functions other than
 * bench_dpdk_gfni_usable() run only when that says the CPU has them.
 */
#include <rte_thash.h>
#include <string.h>

#include "bench_clock.h"
#include "bench_dpdk.h"

extern uint8_t bench_dpdk_key[40];
static volatile uint32_t sink;

#ifdef RTE_THASH_GFNI_DEFINED
static uint64_t mtrx[40];

int bench_dpdk_gfni_usable(void)
{
	/*
	 * Not rte_thash_gfni_supported(): it answers for the library's own
	 * build (Debian's is for baseline x86-64 and says no), while
	 * rte_thash_gfni() is inline and built here with GFNI.
	 */
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("gfni") ||
	    !__builtin_cpu_supports("avx512f") ||
	    !__builtin_cpu_supports("avx512bw") ||
	    !__builtin_cpu_supports("avx512dq") ||
	    !__builtin_cpu_supports("avx512vl") ||
	    !__builtin_cpu_supports("avx512vbmi"))
		return 0;
	return 1;
}

static void ready(void)
{
	rte_thash_complete_matrix(mtrx, bench_dpdk_key, 40);
}

uint32_t bench_dpdk_gfni(const uint8_t *in, size_t len)
{
	ready();
	return rte_thash_gfni(mtrx, in, (int)len);
}

double bench_dpdk_gfni_ns(uint8_t (*pool)[64], unsigned int n, size_t len,
			  unsigned long iters)
{
	uint32_t h = 0;
	unsigned long i;
	double t0;

	(void)n;	/* 64 */
	ready();
	t0 = bench_now_ns();
	for (i = 0; i < iters; i++)
		h ^= rte_thash_gfni(mtrx, pool[i & 63], (int)len);
	t0 = (bench_now_ns() - t0) / (double)iters;
	sink = h;
	return t0;
}
#else
int bench_dpdk_gfni_usable(void)
{
	return 0;
}

uint32_t bench_dpdk_gfni(const uint8_t *in, size_t len)
{
	(void)in;
	(void)len;
	return 0;
}

double bench_dpdk_gfni_ns(uint8_t (*pool)[64], unsigned int n, size_t len,
			  unsigned long iters)
{
	(void)pool;
	(void)n;
	(void)len;
	(void)iters;
	return -1;
}
#endif
