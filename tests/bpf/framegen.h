/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Random and mutated frames for the BPF differential tests. */
#ifndef VNH_TEST_FRAMEGEN_H
#define VNH_TEST_FRAMEGEN_H

#include <stddef.h>
#include <stdint.h>

/* Largest frame BPF_PROG_TEST_RUN takes for an skb (a page minus room). */
#define FG_FRAME_MAX 3072

struct fg_rng {
	uint64_t s;
};

void fg_seed(struct fg_rng *r, uint64_t seed);
uint64_t fg_next(struct fg_rng *r);
/* Uniform in [0, n). */
uint32_t fg_below(struct fg_rng *r, uint32_t n);
void fg_bytes(struct fg_rng *r, void *buf, size_t len);

/* What a generated frame is, for the statistics the tests print. */
enum fg_kind {
	FG_IPV4, FG_IPV6, FG_OTHER, FG_RANDOM, FG_KINDS
};

/*
 * An Ethernet frame of any kind the rules distinguish: IPv4 TCP/UDP/other
 * with options and fragments, IPv6 with extension chains (Hop-by-Hop,
 * Routing incl. type 2, Fragment, Destination Options incl. Home Address,
 * AH, too many), 0-3 VLAN tags, other EtherTypes, random bytes; then
 * maybe truncated and/or mutated. Returns the length (may be < 14).
 */
size_t fg_frame(struct fg_rng *r, uint8_t *buf, size_t max,
		enum fg_kind *kind);

/*
 * An IP packet for a tun (no link-layer header) and the EtherType it is
 * claimed to be (usually the right one, sometimes not).
 */
size_t fg_l3(struct fg_rng *r, uint8_t *buf, size_t max, uint16_t *ethertype,
	     enum fg_kind *kind);

#endif
