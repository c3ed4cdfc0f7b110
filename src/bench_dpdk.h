/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * bench_dpdk.h - DPDK's Toeplitz implementations (librte_hash), timed for
 * `vnethash bench` as the baselines of the library's. Built only when
 * pkg-config finds libdpdk (VNETHASH_HAVE_DPDK); nothing of DPDK is copied
 * here, its own headers and library are used.
 */
#ifndef VNETHASH_BENCH_DPDK_H
#define VNETHASH_BENCH_DPDK_H

#include <stddef.h>
#include <stdint.h>

/* DPDK's version string. */
const char *bench_dpdk_version(void);

/* Set the 40-byte key for both implementations. */
void bench_dpdk_set_key(const uint8_t key[40]);

/*
 * rte_softrss_be() over @len (a multiple of 4) bytes of @in, as it takes
 * them (32-bit words in host order, key converted by
 * rte_convert_rss_key()): the hash of one call, and the ns per call of
 * @iters calls cycling through the @n inputs of @pool (converted before
 * the timing starts; @n is 64).
 */
uint32_t bench_dpdk_softrss(const uint8_t *in, size_t len);
double bench_dpdk_softrss_ns(uint8_t (*pool)[64], unsigned int n, size_t len,
			     unsigned long iters);

/* rte_thash_gfni(): usable only when this is non-zero. */
int bench_dpdk_gfni_usable(void);
uint32_t bench_dpdk_gfni(const uint8_t *in, size_t len);
double bench_dpdk_gfni_ns(uint8_t (*pool)[64], unsigned int n, size_t len,
			  unsigned long iters);

#endif /* VNETHASH_BENCH_DPDK_H */
