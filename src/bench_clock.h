/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bench_clock.h - the one clock of `vnethash bench` (bench_cmd.c and the
 * DPDK baselines in bench_dpdk*.c), so every figure and its baseline are
 * timed alike.
 */
#ifndef VNETHASH_BENCH_CLOCK_H
#define VNETHASH_BENCH_CLOCK_H

#include <time.h>

/* Now, in ns. */
static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#endif /* VNETHASH_BENCH_CLOCK_H */
