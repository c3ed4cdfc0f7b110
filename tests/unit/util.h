/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Helpers for the cmocka unit tests: hand-built frames, hand-built Toeplitz
 * tuples, a private copy of the well-known key, a small PRNG.
 *
 * Expected hashes are always the bit-by-bit vnh_toeplitz() (itself checked
 * against the published vectors and an independent bit loop in
 * test_toeplitz.c) over tuples assembled here from the addresses and ports
 * the test put into the frame -- never values extracted by the library.
 */
#ifndef VNH_TEST_UTIL_H
#define VNH_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "vnethash.h"

/* The well-known RSS key, typed in from the Microsoft documentation. */
extern const uint8_t test_ms_key[40];

/* Addresses and ports used by the rule tests. */
extern const uint8_t V4_S[4], V4_D[4];
extern const uint8_t V6_S[16], V6_D[16], V6_H[16], V6_H2[16], V6_R[16],
	V6_R2[16];
#define SPORT 2794
#define DPORT 1766

/* A frame under construction. */
struct fb {
	uint8_t d[2048];
	size_t n;
};

void fb_init(struct fb *f);
void fb_bytes(struct fb *f, const void *p, size_t n);
void fb_fill(struct fb *f, uint8_t v, size_t n);
void fb_u8(struct fb *f, uint8_t v);
void fb_be16(struct fb *f, uint16_t v);
void fb_be32(struct fb *f, uint32_t v);

/* Ethernet header: 12 MAC bytes and the EtherType. */
void fb_eth(struct fb *f, uint16_t ethertype);
/* The rest of a VLAN tag (TCI, inner EtherType); the TPID came before. */
void fb_vlan(struct fb *f, uint16_t tci, uint16_t ethertype);
/*
 * IPv4 header of @ihl 32-bit words (options are NOPs), @frag the 16-bit
 * flags + fragment offset field, total length 0x1234 (not used by the rules).
 */
void fb_ipv4(struct fb *f, unsigned int ihl, uint8_t proto, uint16_t frag,
	     const uint8_t src[4], const uint8_t dst[4]);
void fb_ipv6(struct fb *f, uint8_t nexthdr, const uint8_t src[16],
	     const uint8_t dst[16]);
void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport);
void fb_udp(struct fb *f, uint16_t sport, uint16_t dport);
/* HBH or DestOpts of (@hdr_ext_len + 1) * 8 bytes holding one PadN. */
void fb_opts_pad(struct fb *f, uint8_t next, uint8_t hdr_ext_len);
/*
 * HBH or DestOpts of (@hdr_ext_len + 1) * 8 bytes: next, len, then @opts,
 * then zero bytes (Pad1) to the end.
 */
void fb_opts_raw(struct fb *f, uint8_t next, uint8_t hdr_ext_len,
		 const uint8_t *opts, size_t n);
/* DestOpts of 24 bytes: PadN(2) then a Home Address option for @hao. */
void fb_dst_hao(struct fb *f, uint8_t next, const uint8_t hao[16]);
/* Routing header of (@hdr_ext_len + 1) * 8 bytes, @addr at offset 8. */
void fb_routing(struct fb *f, uint8_t next, uint8_t hdr_ext_len,
		uint8_t type, uint8_t segleft, const uint8_t addr[16]);
/* A Type 2 Routing header (hdr_ext_len 2, type 2, segments left 1). */
void fb_rt2(struct fb *f, uint8_t next, const uint8_t addr[16]);
void fb_frag(struct fb *f, uint8_t next, uint16_t offset, int more);
/* AH of (@payload_len + 2) * 4 bytes, ICV filled with 0xee. */
void fb_ah(struct fb *f, uint8_t next, uint8_t payload_len);

/* Toeplitz tuples: src, dst [, sport, dport]. Returns the length. */
size_t tuple4(uint8_t *t, const uint8_t src[4], const uint8_t dst[4],
	      int ports, uint16_t sport, uint16_t dport);
size_t tuple6(uint8_t *t, const uint8_t src[16], const uint8_t dst[16],
	      int ports, uint16_t sport, uint16_t dport);
/* Bit-by-bit Toeplitz of @t under the well-known key. */
uint32_t ref_hash(const uint8_t *t, size_t n);

/* The Toeplitz table of the well-known key (built once). */
const struct vnh_toeplitz_table *ms_table(void);

/*
 * Hash @len bytes of @data (copied into a heap buffer of exactly @len bytes,
 * so ASan sees any overread) as a tap frame (@ethertype < 0) or as a tun
 * packet with that EtherType.
 */
struct vnh_result hash_exact(const struct vnh_toeplitz_table *t,
			     uint32_t types, int ethertype,
			     const void *data, size_t len);

/*
 * Assert that @data hashes to @report with the Toeplitz hash of the tuple
 * @tup (hash 0 when @report is NONE).
 */
void expect_hash_at(const char *file, int line, int ethertype,
		    const void *data, size_t len, uint32_t types, int report,
		    const uint8_t *tup, size_t tlen);
#define EXPECT_FRAME(data, len, types, report, tup, tlen) \
	expect_hash_at(__FILE__, __LINE__, -1, data, len, types, report, \
		       tup, tlen)
#define EXPECT_L3(et, data, len, types, report, tup, tlen) \
	expect_hash_at(__FILE__, __LINE__, et, data, len, types, report, \
		       tup, tlen)
#define EXPECT_NONE(data, len, types) \
	expect_hash_at(__FILE__, __LINE__, -1, data, len, types, \
		       VNH_REPORT_NONE, NULL, 0)

/* Report types seen by expect_hash_at() (bit per report). */
extern unsigned int reports_seen;

/* xorshift64* PRNG, deterministic. */
uint64_t rnd(void);
void rnd_seed(uint64_t s);
void rnd_bytes(void *p, size_t n);

#endif

/*
 * Everything observable about a struct vnh_rss: key, types, table,
 * unclassified queue, its Toeplitz table, and the results (hash, report,
 * queue) of a few sample frames.
 */
#define SNAP_SAMPLES 5
struct rss_snap {
	uint8_t key[VNH_KEY_SIZE_MAX];
	size_t key_len;
	uint32_t types;
	uint16_t table[VNH_TABLE_LEN_MAX];
	size_t table_len;
	uint16_t unclassified;
	uint16_t max_queue;
	struct vnh_toeplitz_table toeplitz;
	struct vnh_result sample[SNAP_SAMPLES];
};

struct rss_snap *snap_take(const struct vnh_rss *rss);
void snap_expect_equal_at(const char *file, int line,
			  const struct rss_snap *a, const struct rss_snap *b);
#define SNAP_EQUAL(a, b) snap_expect_equal_at(__FILE__, __LINE__, a, b)
/* Assert that @rss still matches @before (freed by the caller). */
void expect_unchanged_at(const char *file, int line,
			 const struct vnh_rss *rss,
			 const struct rss_snap *before);
#define EXPECT_UNCHANGED(rss, before) \
	expect_unchanged_at(__FILE__, __LINE__, rss, before)

/* A sample IPv4 TCP frame (V4_S:SPORT -> V4_D:DPORT), 54 bytes. */
size_t sample_v4_tcp(uint8_t *buf);
