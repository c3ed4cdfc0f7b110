/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_bitwise.h - the benchmarks' baselines, beside their program:
 * an empty socket filter (the fixed cost of a BPF_PROG_TEST_RUN) and the
 * bit-by-bit Toeplitz steering program (vnethash_bitwise.bpf.c) loaded with
 * a vnh_rss's key, hash types and table. Shared by `vnethash bench` and
 * bench/bench_steer.
 */
#ifndef VNETHASH_BITWISE_H
#define VNETHASH_BITWISE_H

#include "vnethash.h"
#include "vnethash_bitwise.skel.h"

/* Load a program that returns 0 at once: its fd, or a negative errno. */
int vnh_baseline_empty_prog(void);

/*
 * Load the bit-by-bit program configured like @rss (first 128 table
 * entries). NULL on failure; free with vnethash_bitwise__destroy().
 */
struct vnethash_bitwise *vnh_baseline_bitwise_load(const struct vnh_rss *rss);

#endif
