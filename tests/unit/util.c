// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Helpers for the cmocka unit tests; see util.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const uint8_t test_ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* 66.9.149.187 -> 161.142.100.80, first row of the published vectors. */
const uint8_t V4_S[4] = { 66, 9, 149, 187 };
const uint8_t V4_D[4] = { 161, 142, 100, 80 };
/* 3ffe:2501:200:1fff::7 -> 3ffe:2501:200:3::1 */
const uint8_t V6_S[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x1f, 0xff,
			   0, 0, 0, 0, 0, 0, 0, 0x07 };
const uint8_t V6_D[16] = { 0x3f, 0xfe, 0x25, 0x01, 0x02, 0x00, 0x00, 0x03,
			   0, 0, 0, 0, 0, 0, 0, 0x01 };
/* 2001:db8::100 / ::101 (home addresses), 2001:db8::200 / ::201 (RT2) */
const uint8_t V6_H[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			   0, 0, 0, 0, 0, 0, 0x01, 0x00 };
const uint8_t V6_H2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0x01, 0x01 };
const uint8_t V6_R[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			   0, 0, 0, 0, 0, 0, 0x02, 0x00 };
const uint8_t V6_R2[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
			    0, 0, 0, 0, 0, 0, 0x02, 0x01 };

unsigned int reports_seen;

void fb_init(struct fb *f)
{
	memset(f, 0, sizeof(*f));
}

void fb_bytes(struct fb *f, const void *p, size_t n)
{
	assert_true(f->n + n <= sizeof(f->d));
	memcpy(f->d + f->n, p, n);
	f->n += n;
}

void fb_fill(struct fb *f, uint8_t v, size_t n)
{
	assert_true(f->n + n <= sizeof(f->d));
	memset(f->d + f->n, v, n);
	f->n += n;
}

void fb_u8(struct fb *f, uint8_t v)
{
	fb_bytes(f, &v, 1);
}

void fb_be16(struct fb *f, uint16_t v)
{
	fb_u8(f, (uint8_t)(v >> 8));
	fb_u8(f, (uint8_t)v);
}

void fb_be32(struct fb *f, uint32_t v)
{
	fb_be16(f, (uint16_t)(v >> 16));
	fb_be16(f, (uint16_t)v);
}

void fb_eth(struct fb *f, uint16_t ethertype)
{
	static const uint8_t macs[12] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56,
					  0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

	fb_bytes(f, macs, sizeof(macs));
	fb_be16(f, ethertype);
}

void fb_vlan(struct fb *f, uint16_t tci, uint16_t ethertype)
{
	fb_be16(f, tci);
	fb_be16(f, ethertype);
}

void fb_ipv4(struct fb *f, unsigned int ihl, uint8_t proto, uint16_t frag,
	     const uint8_t src[4], const uint8_t dst[4])
{
	fb_u8(f, (uint8_t)(0x40 | (ihl & 0x0f)));
	fb_u8(f, 0);			/* TOS */
	fb_be16(f, 0x1234);		/* total length: ignored */
	fb_be16(f, 0xbeef);		/* identification */
	fb_be16(f, frag);
	fb_u8(f, 64);			/* TTL */
	fb_u8(f, proto);
	fb_be16(f, 0);			/* checksum: not checked */
	fb_bytes(f, src, 4);
	fb_bytes(f, dst, 4);
	if (ihl > 5)
		fb_fill(f, 0x01, (ihl - 5) * 4);	/* NOP options */
}

void fb_ipv6(struct fb *f, uint8_t nexthdr, const uint8_t src[16],
	     const uint8_t dst[16])
{
	fb_be32(f, 0x60012345);		/* version 6, flow label */
	fb_be16(f, 0);			/* payload length: not used */
	fb_u8(f, nexthdr);
	fb_u8(f, 64);
	fb_bytes(f, src, 16);
	fb_bytes(f, dst, 16);
}

void fb_tcp(struct fb *f, uint16_t sport, uint16_t dport)
{
	fb_be16(f, sport);
	fb_be16(f, dport);
	fb_be32(f, 0x01020304);		/* seq */
	fb_be32(f, 0);			/* ack */
	fb_u8(f, 0x50);			/* data offset 5 */
	fb_u8(f, 0x18);			/* PSH ACK */
	fb_be16(f, 0xffff);
	fb_be16(f, 0);
	fb_be16(f, 0);
}

void fb_udp(struct fb *f, uint16_t sport, uint16_t dport)
{
	fb_be16(f, sport);
	fb_be16(f, dport);
	fb_be16(f, 8);
	fb_be16(f, 0);
}

void fb_opts_pad(struct fb *f, uint8_t next, uint8_t hdr_ext_len)
{
	size_t total = ((size_t)hdr_ext_len + 1) * 8;

	fb_u8(f, next);
	fb_u8(f, hdr_ext_len);
	fb_u8(f, 1);			/* PadN */
	fb_u8(f, (uint8_t)(total - 4));
	fb_fill(f, 0, total - 4);
}

void fb_opts_raw(struct fb *f, uint8_t next, uint8_t hdr_ext_len,
		 const uint8_t *opts, size_t n)
{
	size_t total = ((size_t)hdr_ext_len + 1) * 8;

	assert_true(n + 2 <= total);
	fb_u8(f, next);
	fb_u8(f, hdr_ext_len);
	fb_bytes(f, opts, n);
	fb_fill(f, 0, total - 2 - n);
}

void fb_dst_hao(struct fb *f, uint8_t next, const uint8_t hao[16])
{
	fb_u8(f, next);
	fb_u8(f, 2);			/* 24 bytes */
	fb_u8(f, 1);			/* PadN, 2 data bytes */
	fb_u8(f, 2);
	fb_be16(f, 0);
	fb_u8(f, 0xc9);			/* Home Address, at 8n + 6 */
	fb_u8(f, 16);
	fb_bytes(f, hao, 16);
}

void fb_routing(struct fb *f, uint8_t next, uint8_t hdr_ext_len,
		uint8_t type, uint8_t segleft, const uint8_t addr[16])
{
	size_t total = ((size_t)hdr_ext_len + 1) * 8;

	fb_u8(f, next);
	fb_u8(f, hdr_ext_len);
	fb_u8(f, type);
	fb_u8(f, segleft);
	fb_be32(f, 0);			/* reserved */
	if (total >= 24) {
		fb_bytes(f, addr, 16);
		fb_fill(f, 0x77, total - 24);
	} else {
		fb_fill(f, 0x77, total - 8);
	}
}

void fb_rt2(struct fb *f, uint8_t next, const uint8_t addr[16])
{
	fb_routing(f, next, 2, 2, 1, addr);
}

void fb_frag(struct fb *f, uint8_t next, uint16_t offset, int more)
{
	fb_u8(f, next);
	fb_u8(f, 0);
	fb_be16(f, (uint16_t)((offset << 3) | (more ? 1 : 0)));
	fb_be32(f, 0xabcdef01);
}

void fb_ah(struct fb *f, uint8_t next, uint8_t payload_len)
{
	size_t total = ((size_t)payload_len + 2) * 4;

	assert_true(total >= 12);
	fb_u8(f, next);
	fb_u8(f, payload_len);
	fb_be16(f, 0);
	fb_be32(f, 0x100);		/* SPI */
	fb_be32(f, 1);			/* sequence */
	fb_fill(f, 0xee, total - 12);	/* ICV */
}

static size_t tuple(uint8_t *t, const uint8_t *src, const uint8_t *dst,
		    size_t alen, int ports, uint16_t sport, uint16_t dport)
{
	size_t n = 0;

	memcpy(t, src, alen);
	memcpy(t + alen, dst, alen);
	n = 2 * alen;
	if (ports) {
		t[n++] = (uint8_t)(sport >> 8);
		t[n++] = (uint8_t)sport;
		t[n++] = (uint8_t)(dport >> 8);
		t[n++] = (uint8_t)dport;
	}
	return n;
}

size_t tuple4(uint8_t *t, const uint8_t src[4], const uint8_t dst[4],
	      int ports, uint16_t sport, uint16_t dport)
{
	return tuple(t, src, dst, 4, ports, sport, dport);
}

size_t tuple6(uint8_t *t, const uint8_t src[16], const uint8_t dst[16],
	      int ports, uint16_t sport, uint16_t dport)
{
	return tuple(t, src, dst, 16, ports, sport, dport);
}

uint32_t ref_hash(const uint8_t *t, size_t n)
{
	return vnh_toeplitz(test_ms_key, sizeof(test_ms_key), t, n);
}

const struct vnh_toeplitz_table *ms_table(void)
{
	static struct vnh_toeplitz_table *table;

	if (!table) {
		table = malloc(sizeof(*table));
		assert_non_null(table);
		assert_int_equal(vnh_toeplitz_table_init(table, test_ms_key,
							 40), 0);
	}
	return table;
}

struct vnh_result hash_exact(const struct vnh_toeplitz_table *t,
			     uint32_t types, int ethertype,
			     const void *data, size_t len)
{
	struct vnh_result res;
	uint8_t *buf = NULL;
	int rc;

	if (len) {
		buf = malloc(len);
		assert_non_null(buf);
		memcpy(buf, data, len);
	}
	memset(&res, 0xa5, sizeof(res));
	if (ethertype < 0)
		rc = vnh_hash_frame(t, types, buf, len, &res);
	else
		rc = vnh_hash_l3(t, types, (uint16_t)ethertype, buf, len,
				 &res);
	assert_int_equal(rc, 0);
	free(buf);
	return res;
}

void expect_hash_at(const char *file, int line, int ethertype,
		    const void *data, size_t len, uint32_t types, int report,
		    const uint8_t *tup, size_t tlen)
{
	struct vnh_result res = hash_exact(ms_table(), types, ethertype,
					   data, len);
	uint32_t want = report == VNH_REPORT_NONE ? 0 : ref_hash(tup, tlen);

	if (res.report != report || res.hash != want) {
		print_error("%s:%d: len %zu types 0x%x: got report %u hash "
			    "0x%08x, want report %d hash 0x%08x\n", file, line,
			    len, types, res.report, res.hash, report, want);
		_fail(file, line);
	}
	reports_seen |= 1u << report;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

void rnd_seed(uint64_t s)
{
	rnd_state = s ? s : 0x9e3779b97f4a7c15ull;
}

uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

void rnd_bytes(void *p, size_t n)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(rnd() >> 32);
}

size_t sample_v4_tcp(uint8_t *buf)
{
	struct fb f;

	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv4(&f, 5, 6, 0, V4_S, V4_D);
	fb_tcp(&f, SPORT, DPORT);
	memcpy(buf, f.d, f.n);
	return f.n;
}

static void sample_frames(struct fb *f)
{
	size_t i;

	for (i = 0; i < SNAP_SAMPLES; i++)
		fb_init(&f[i]);
	f[0].n = sample_v4_tcp(f[0].d);
	fb_eth(&f[1], 0x86dd);
	fb_ipv6(&f[1], 60, V6_S, V6_D);
	fb_dst_hao(&f[1], 17, V6_H);
	fb_udp(&f[1], SPORT, DPORT);
	fb_eth(&f[2], 0x0806);
	fb_fill(&f[2], 0, 28);
	fb_eth(&f[3], 0x0800);
	fb_ipv4(&f[3], 5, 1, 0, V4_D, V4_S);
	fb_fill(&f[3], 8, 8);
	fb_eth(&f[4], 0x86dd);
	fb_ipv6(&f[4], 6, V6_D, V6_S);
	fb_tcp(&f[4], DPORT, SPORT);
}

struct rss_snap *snap_take(const struct vnh_rss *rss)
{
	struct rss_snap *s = calloc(1, sizeof(*s));
	struct fb *f = malloc(SNAP_SAMPLES * sizeof(*f));
	const uint8_t *key;
	const uint16_t *table;
	size_t i;

	assert_non_null(s);
	assert_non_null(f);
	key = vnh_rss_key(rss, &s->key_len);
	assert_true(s->key_len >= 1 && s->key_len <= VNH_KEY_SIZE_MAX);
	memcpy(s->key, key, s->key_len);
	s->types = vnh_rss_hash_types(rss);
	table = vnh_rss_table(rss, &s->table_len);
	assert_true(s->table_len >= 1 && s->table_len <= VNH_TABLE_LEN_MAX);
	memcpy(s->table, table, s->table_len * sizeof(*table));
	s->unclassified = vnh_rss_unclassified(rss);
	s->max_queue = vnh_rss_max_queue(rss);
	memcpy(&s->toeplitz, vnh_rss_toeplitz(rss), sizeof(s->toeplitz));
	sample_frames(f);
	for (i = 0; i < SNAP_SAMPLES; i++)
		assert_int_equal(vnh_rss_hash_frame(rss, f[i].d, f[i].n,
						    &s->sample[i]), 0);
	free(f);
	return s;
}

void snap_expect_equal_at(const char *file, int line,
			  const struct rss_snap *a, const struct rss_snap *b)
{
	const char *what = NULL;
	size_t i;

	if (a->key_len != b->key_len ||
	    memcmp(a->key, b->key, a->key_len))
		what = "key";
	else if (a->types != b->types)
		what = "hash types";
	else if (a->table_len != b->table_len ||
		 memcmp(a->table, b->table, a->table_len * sizeof(a->table[0])))
		what = "indirection table";
	else if (a->unclassified != b->unclassified)
		what = "unclassified queue";
	else if (a->max_queue != b->max_queue)
		what = "max queue";
	else if (memcmp(&a->toeplitz, &b->toeplitz, sizeof(a->toeplitz)))
		what = "Toeplitz table";
	for (i = 0; !what && i < SNAP_SAMPLES; i++)
		if (a->sample[i].hash != b->sample[i].hash ||
		    a->sample[i].report != b->sample[i].report ||
		    a->sample[i].queue != b->sample[i].queue)
			what = "sample frame result";
	if (what) {
		print_error("%s:%d: RSS configuration differs: %s\n", file,
			    line, what);
		_fail(file, line);
	}
}

void expect_unchanged_at(const char *file, int line,
			 const struct vnh_rss *rss,
			 const struct rss_snap *before)
{
	struct rss_snap *now = snap_take(rss);

	snap_expect_equal_at(file, line, before, now);
	free(now);
}
