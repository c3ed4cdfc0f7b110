/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bench_clock.h - the one clock of `vnethash bench` (bench_cmd.c and the
 * DPDK baselines in bench_dpdk*.c), so every figure and its baseline are
 * timed alike: the CPU time of the calling thread (user and system). On a
 * machine shared with other jobs, wall-clock time would count the time
 * they hold the CPU; CPU time counts what the measured code costs (the
 * tap's kernel work runs in the sending thread's system calls).
 */
#ifndef VNETHASH_BENCH_CLOCK_H
#define VNETHASH_BENCH_CLOCK_H

#include <time.h>

#define BENCH_CLOCK_NAME "CLOCK_THREAD_CPUTIME_ID"

/* Now, in ns of this thread's CPU time. */
static inline double bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

#endif /* VNETHASH_BENCH_CLOCK_H */
