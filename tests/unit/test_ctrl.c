// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Control payloads: VIRTIO_NET_CTRL_MQ_RSS_CONFIG and _HASH_CONFIG.
 * Payloads are encoded here by hand from the spec's wire layout. Every
 * error code is provoked by a payload (or limits) breaking exactly that
 * rule; the previous configuration must survive byte for byte.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define OFF_ANY		(-1)	/* offset not checked */
#define OFF_LE_LEN	(-2)	/* offset <= payload length */

/* What an RSS_CONFIG payload says (the table has mask + 1 entries). */
struct rss_pl {
	uint32_t types;
	uint16_t mask;
	uint16_t unclassified;
	uint16_t max_tx_vq;
	uint8_t key_len;
	uint8_t key[255];
	uint16_t table[65536];
};

struct hash_pl {
	uint32_t types;
	uint16_t reserved[4];
	uint8_t key_len;
	uint8_t key[255];
};

#define PL_MAX (8 + 2 * 65536 + 3 + 255 + 128)

static unsigned int codes_seen;

static const uint8_t key2[40] = {
	0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71, 0x82, 0x93,
	0xa4, 0xb5, 0xc6, 0xd7, 0xe8, 0xf9, 0x12, 0x34, 0x56, 0x78,
	0x9a, 0xbc, 0xde, 0xf0, 0x0f, 0xed, 0xcb, 0xa9, 0x87, 0x65,
	0x43, 0x21, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

/* The spec's struct virtio_net_rss_config, little endian. */
static size_t enc_rss(const struct rss_pl *p, uint8_t *buf)
{
	size_t n = (size_t)p->mask + 1, i, off;

	put32(buf, p->types);
	put16(buf + 4, p->mask);
	put16(buf + 6, p->unclassified);
	for (i = 0; i < n; i++)
		put16(buf + 8 + 2 * i, p->table[i]);
	off = 8 + 2 * n;
	put16(buf + off, p->max_tx_vq);
	buf[off + 2] = p->key_len;
	memcpy(buf + off + 3, p->key, p->key_len);
	return off + 3 + p->key_len;
}

/* The spec's struct virtio_net_hash_config. */
static size_t enc_hash(const struct hash_pl *p, uint8_t *buf)
{
	size_t i;

	put32(buf, p->types);
	for (i = 0; i < 4; i++)
		put16(buf + 4 + 2 * i, p->reserved[i]);
	buf[12] = p->key_len;
	memcpy(buf + 13, p->key, p->key_len);
	return 13 + (size_t)p->key_len;
}

static struct vnh_device_limits limits(void)
{
	struct vnh_device_limits l;

	memset(&l, 0, sizeof(l));
	l.sz = sizeof(l);
	l.max_queue_pairs = 8;
	l.max_table_len = 128;
	l.max_key_size = 40;
	l.supported_hash_types = VNH_HASH_TYPE_ALL;
	return l;
}

/* A valid payload: all types, 16 entries i % 4, unclassified 1, 4 vqs. */
static struct rss_pl *valid_rss(void)
{
	struct rss_pl *p = calloc(1, sizeof(*p));
	size_t i;

	assert_non_null(p);
	p->types = VNH_HASH_TYPE_ALL;
	p->mask = 15;
	p->unclassified = 1;
	for (i = 0; i < 16; i++)
		p->table[i] = (uint16_t)(i % 4);
	p->max_tx_vq = 4;
	p->key_len = 40;
	memcpy(p->key, key2, 40);
	return p;
}

static struct hash_pl valid_hash(void)
{
	struct hash_pl p;

	memset(&p, 0, sizeof(p));
	p.types = VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_TCPV6 |
		  VNH_HASH_TYPE_IPV6;
	p.key_len = 40;
	memcpy(p.key, key2, 40);
	return p;
}

static uint8_t *plbuf(void)
{
	uint8_t *b = malloc(PL_MAX);

	assert_non_null(b);
	return b;
}

/* A previous configuration, different from every payload used here. */
static struct vnh_rss *previous(void)
{
	struct vnh_rss *rss = vnh_rss_new();
	uint8_t key[40];
	size_t i;

	assert_non_null(rss);
	for (i = 0; i < 40; i++)
		key[i] = (uint8_t)(0xc3 ^ (i * 29));
	assert_int_equal(vnh_rss_set_key(rss, key, 40), 0);
	assert_int_equal(vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_ALL &
						~VNH_HASH_TYPE_IPV6), 0);
	assert_int_equal(vnh_rss_set_spread(rss, 3, 32), 0);
	assert_int_equal(vnh_rss_set_unclassified(rss, 2), 0);
	return rss;
}

/* Copy into a heap buffer of exactly @len bytes (ASan sees overreads). */
static uint8_t *exact(const uint8_t *p, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);

	assert_non_null(b);
	memcpy(b, p, len);
	return b;
}

static void check_status_at(const char *file, int line,
			    const struct vnh_ctrl_status *st, int code,
			    long off, size_t len)
{
	if (st->code != code) {
		print_error("%s:%d: code %d (%s), want %d\n", file, line,
			    st->code, st->msg, code);
		_fail(file, line);
	}
	if (!memchr(st->msg, 0, sizeof(st->msg)) || !st->msg[0]) {
		print_error("%s:%d: empty or unterminated message\n", file,
			    line);
		_fail(file, line);
	}
	if ((off >= 0 && st->offset != (uint32_t)off) ||
	    (off == OFF_LE_LEN && st->offset > len)) {
		print_error("%s:%d: offset %u, want %ld (len %zu): %s\n", file,
			    line, st->offset, off, len, st->msg);
		_fail(file, line);
	}
}

static void rss_error_at(const char *file, int line, const uint8_t *pl,
			 size_t len, const struct vnh_device_limits *lim,
			 int code, long off)
{
	struct vnh_rss *rss = previous();
	struct rss_snap *before = snap_take(rss);
	struct vnh_ctrl_status st;
	uint8_t *b = exact(pl, len);
	uint16_t tx = 0xbeef;
	int rc;

	memset(&st, 0, sizeof(st));
	rc = vnh_ctrl_rss_config(rss, b, len, lim, &tx, &st);
	if (rc != -EINVAL) {
		print_error("%s:%d: rc %d, want -EINVAL\n", file, line, rc);
		_fail(file, line);
	}
	check_status_at(file, line, &st, code, off, len);
	if (tx != 0xbeef) {
		print_error("%s:%d: max_tx_vq written on error\n", file, line);
		_fail(file, line);
	}
	expect_unchanged_at(file, line, rss, before);
	/* The same without status and max_tx_vq. */
	assert_int_equal(vnh_ctrl_rss_config(rss, b, len, lim, NULL, NULL),
			 -EINVAL);
	expect_unchanged_at(file, line, rss, before);
	codes_seen |= 1u << code;
	free(b);
	free(before);
	vnh_rss_free(rss);
}

static void hash_error_at(const char *file, int line, const uint8_t *pl,
			  size_t len, const struct vnh_device_limits *lim,
			  int code, long off)
{
	struct vnh_rss *rss = previous();
	struct rss_snap *before = snap_take(rss);
	struct vnh_ctrl_status st;
	uint8_t *b = exact(pl, len);
	int rc;

	memset(&st, 0, sizeof(st));
	rc = vnh_ctrl_hash_config(rss, b, len, lim, &st);
	if (rc != -EINVAL) {
		print_error("%s:%d: rc %d, want -EINVAL\n", file, line, rc);
		_fail(file, line);
	}
	check_status_at(file, line, &st, code, off, len);
	expect_unchanged_at(file, line, rss, before);
	assert_int_equal(vnh_ctrl_hash_config(rss, b, len, lim, NULL),
			 -EINVAL);
	expect_unchanged_at(file, line, rss, before);
	codes_seen |= 1u << code;
	free(b);
	free(before);
	vnh_rss_free(rss);
}

/* Encode @p and expect @code. */
#define RSS_ERR(p, lim, code, off) do { \
	size_t n_ = enc_rss(p, buf); \
	rss_error_at(__FILE__, __LINE__, buf, n_, lim, code, off); \
} while (0)
#define HASH_ERR(p, lim, code, off) do { \
	size_t n_ = enc_hash(p, buf); \
	hash_error_at(__FILE__, __LINE__, buf, n_, lim, code, off); \
} while (0)

/* ---- valid payloads ---- */

static void apply_rss_ok(struct vnh_rss *rss, const struct rss_pl *p,
			 const struct vnh_device_limits *lim)
{
	uint8_t *buf = plbuf(), *b;
	struct vnh_ctrl_status st;
	uint16_t tx = 0xbeef;
	size_t n = enc_rss(p, buf);

	b = exact(buf, n);
	memset(&st, 0, sizeof(st));
	assert_int_equal(vnh_ctrl_rss_config(rss, b, n, lim, &tx, &st), 0);
	assert_int_equal(st.code, VNH_CTRL_OK);
	assert_true(st.msg[0] != 0);
	assert_int_equal(tx, p->max_tx_vq);
	free(b);
	free(buf);
}

/* The configuration is what @p says (key: @key/@key_len). */
static void expect_config(const struct vnh_rss *rss, const struct rss_pl *p,
			  const uint8_t *key, size_t key_len)
{
	const uint16_t *table;
	const uint8_t *k;
	uint8_t frame[64], tup[12];
	struct vnh_result res;
	size_t len, i, fl;
	uint32_t h;

	assert_int_equal(vnh_rss_hash_types(rss), p->types);
	k = vnh_rss_key(rss, &len);
	assert_int_equal(len, key_len);
	assert_memory_equal(k, key, key_len);
	table = vnh_rss_table(rss, &len);
	assert_int_equal(len, (size_t)p->mask + 1);
	for (i = 0; i < len; i++)
		assert_int_equal(table[i], p->table[i]);
	assert_int_equal(vnh_rss_unclassified(rss), p->unclassified);
	/* A sample frame lands where the payload says. */
	fl = sample_v4_tcp(frame);
	assert_int_equal(vnh_rss_hash_frame(rss, frame, fl, &res), 0);
	if (p->types & VNH_HASH_TYPE_TCPV4) {
		tuple4(tup, V4_S, V4_D, 1, SPORT, DPORT);
		h = vnh_toeplitz(key, key_len, tup, 12);
		assert_int_equal(res.report, VNH_REPORT_TCPV4);
		assert_int_equal(res.hash, h);
		assert_int_equal(res.queue, p->table[h & p->mask]);
	} else if (!(p->types & VNH_HASH_TYPE_IPV4)) {
		assert_int_equal(res.report, VNH_REPORT_NONE);
		assert_int_equal(res.queue, p->unclassified);
	}
}

static void test_rss_config_valid(void **state)
{
	struct vnh_device_limits lim = limits();
	struct rss_pl *p = valid_rss();
	struct vnh_rss *rss = previous();
	size_t i;

	(void)state;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 40);

	/* One entry, max_tx_vq = max_queue_pairs, a 1-byte key. */
	p->mask = 0;
	p->table[0] = 7;
	p->unclassified = 7;
	p->max_tx_vq = 8;
	p->key_len = 1;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 1);

	/* Table as long as the device allows; key as long as allowed. */
	p->mask = 127;
	for (i = 0; i < 128; i++)
		p->table[i] = (uint16_t)(127 - i) % 8;
	p->key_len = 40;
	p->types = VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_UDP_EX;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 40);

	/* A device with a non-power-of-two table limit and a 16-byte key. */
	lim.max_table_len = 100;
	lim.max_key_size = 16;
	lim.supported_hash_types = VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_IPV4;
	p->mask = 63;
	p->key_len = 16;
	p->types = VNH_HASH_TYPE_IPV4;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 16);

	/* The largest device: 0x8000 queue pairs, 32768 entries. */
	lim = limits();
	lim.max_queue_pairs = VNH_QUEUE_MAX + 1;
	lim.max_table_len = 0xffff;
	p->mask = VNH_TABLE_LEN_MAX - 1;
	for (i = 0; i < VNH_TABLE_LEN_MAX; i++)
		p->table[i] = (uint16_t)(VNH_QUEUE_MAX - i);
	p->unclassified = VNH_QUEUE_MAX;
	p->max_tx_vq = VNH_QUEUE_MAX + 1;
	p->types = VNH_HASH_TYPE_ALL;
	p->key_len = 40;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 40);

	vnh_rss_free(rss);
	free(p);
}

static void test_rss_config_no_types_no_key(void **state)
{
	struct vnh_device_limits lim = limits();
	struct rss_pl *p = valid_rss();
	struct vnh_rss *rss = previous();
	const uint8_t *k;
	uint8_t old_key[40];
	size_t len;

	(void)state;
	k = vnh_rss_key(rss, &len);
	assert_int_equal(len, 40);
	memcpy(old_key, k, 40);
	/* Types 0 without a key: nothing is hashed, table still applied. */
	p->types = 0;
	p->key_len = 0;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, old_key, 40);
	/* A device announcing rss_max_key_size 0 takes it as well. */
	lim.max_key_size = 0;
	lim.supported_hash_types = 0;
	p->unclassified = 3;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, old_key, 40);
	/* Types 0 with a key: the key is taken. */
	lim = limits();
	p->key_len = 20;
	apply_rss_ok(rss, p, &lim);
	expect_config(rss, p, key2, 20);
	vnh_rss_free(rss);
	free(p);
}

static void test_hash_config_valid(void **state)
{
	struct vnh_device_limits lim = limits();
	struct hash_pl p = valid_hash();
	struct vnh_rss *rss = previous();
	struct vnh_ctrl_status st;
	const uint16_t *table;
	const uint8_t *k;
	uint16_t old_table[32];
	uint8_t *buf = plbuf(), *b, old_key[40];
	size_t n, len;

	(void)state;
	table = vnh_rss_table(rss, &len);
	assert_int_equal(len, 32);
	memcpy(old_table, table, sizeof(old_table));
	n = enc_hash(&p, buf);
	b = exact(buf, n);
	memset(&st, 0, sizeof(st));
	assert_int_equal(vnh_ctrl_hash_config(rss, b, n, &lim, &st), 0);
	free(b);
	assert_int_equal(st.code, VNH_CTRL_OK);
	assert_true(st.msg[0] != 0);
	assert_int_equal(vnh_rss_hash_types(rss), p.types);
	k = vnh_rss_key(rss, &len);
	assert_int_equal(len, 40);
	assert_memory_equal(k, key2, 40);
	/* Table and unclassified queue untouched. */
	table = vnh_rss_table(rss, &len);
	assert_int_equal(len, 32);
	assert_memory_equal(table, old_table, sizeof(old_table));
	assert_int_equal(vnh_rss_unclassified(rss), 2);

	/* A 5-byte key, then types 0 without a key (key kept). */
	p.key_len = 5;
	p.types = VNH_HASH_TYPE_UDPV4;
	n = enc_hash(&p, buf);
	assert_int_equal(vnh_ctrl_hash_config(rss, buf, n, &lim, NULL), 0);
	k = vnh_rss_key(rss, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(k, key2, 5);
	assert_int_equal(vnh_rss_hash_types(rss), VNH_HASH_TYPE_UDPV4);
	memcpy(old_key, k, 5);
	p.key_len = 0;
	p.types = 0;
	n = enc_hash(&p, buf);
	assert_int_equal(n, 13);
	assert_int_equal(vnh_ctrl_hash_config(rss, buf, n, &lim, NULL), 0);
	k = vnh_rss_key(rss, &len);
	assert_int_equal(len, 5);
	assert_memory_equal(k, old_key, 5);
	assert_int_equal(vnh_rss_hash_types(rss), 0);
	free(buf);
	vnh_rss_free(rss);
}

/* ---- every error code ---- */

static void test_rss_config_limits(void **state)
{
	struct rss_pl *p = valid_rss();
	uint8_t *buf = plbuf();
	struct vnh_device_limits lim;
	size_t n = enc_rss(p, buf);

	(void)state;
	rss_error_at(__FILE__, __LINE__, buf, n, NULL, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim = limits();
	lim.sz = sizeof(lim) - 1;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim.sz = 0;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim = limits();
	lim.max_queue_pairs = 0;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim.max_queue_pairs = VNH_QUEUE_MAX + 2;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim.max_queue_pairs = 0xffff;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim = limits();
	lim.max_table_len = 0;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim = limits();
	lim.max_key_size = 41;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim.max_key_size = 255;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim = limits();
	lim.supported_hash_types = VNH_HASH_TYPE_ALL | 0x200;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	lim.supported_hash_types = 0xffffffffu;
	rss_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		     OFF_ANY);
	free(buf);
	free(p);
}

static void test_rss_config_errors(void **state)
{
	struct vnh_device_limits lim = limits();
	struct rss_pl *p = valid_rss();
	uint8_t *buf = plbuf();
	size_t n, i;

	(void)state;
	/* TRAILING: one byte, or more, after the key. */
	n = enc_rss(p, buf);
	buf[n] = 0;
	rss_error_at(__FILE__, __LINE__, buf, n + 1, &lim,
		     VNH_CTRL_E_TRAILING, (long)n);
	memset(buf + n, 0xaa, 100);
	rss_error_at(__FILE__, __LINE__, buf, n + 100, &lim,
		     VNH_CTRL_E_TRAILING, (long)n);

	/* HASH_TYPES */
	lim.supported_hash_types = VNH_HASH_TYPE_ALL & ~VNH_HASH_TYPE_TCP_EX;
	RSS_ERR(p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	lim.supported_hash_types = 0;
	RSS_ERR(p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	lim = limits();
	p->types = VNH_HASH_TYPE_ALL | 0x200;
	RSS_ERR(p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	p->types = 0x80000000u;
	RSS_ERR(p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	free(p);

	/* TABLE_MASK: mask + 1 not a power of two (entries all there). */
	{
		static const uint16_t masks[] = { 2, 4, 5, 6, 14, 16, 100,
						  0x7ffe, 0xfffe };

		for (i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
			p = valid_rss();
			p->mask = masks[i];
			lim = limits();
			lim.max_table_len = 0xffff;
			RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_MASK, 4);
			free(p);
		}
	}

	/* TABLE_LEN */
	p = valid_rss();
	lim = limits();
	p->mask = 255;
	RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_LEN, 4);
	lim.max_table_len = 100;
	p->mask = 127;
	RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_LEN, 4);
	lim.max_table_len = 0xffff;	/* 65536 entries: above 32768 too */
	p->mask = 0xffff;
	RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_LEN, 4);
	lim.max_table_len = 1;
	p->mask = 1;
	RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_LEN, 4);
	free(p);

	/* TABLE_QUEUE: an entry >= max_tx_vq, first, middle, last. */
	lim = limits();
	for (i = 0; i < 3; i++) {
		size_t pos = i == 0 ? 0 : i == 1 ? 9 : 15;

		p = valid_rss();
		p->table[pos] = 4;
		RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_QUEUE, (long)(8 + 2 * pos));
		p->table[pos] = 0xffff;
		RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_QUEUE, (long)(8 + 2 * pos));
		free(p);
	}
	/* ... also when below max_queue_pairs. */
	p = valid_rss();
	p->max_tx_vq = 2;
	p->unclassified = 0;
	RSS_ERR(p, &lim, VNH_CTRL_E_TABLE_QUEUE, 8 + 2 * 2);
	free(p);

	/* UNCLASSIFIED */
	p = valid_rss();
	p->unclassified = 4;
	RSS_ERR(p, &lim, VNH_CTRL_E_UNCLASSIFIED, 6);
	p->unclassified = 0xffff;
	RSS_ERR(p, &lim, VNH_CTRL_E_UNCLASSIFIED, 6);
	free(p);

	/* MAX_TX_VQ: 0, or above max_queue_pairs. */
	p = valid_rss();
	p->max_tx_vq = 0;
	p->unclassified = 0;
	memset(p->table, 0, 16 * sizeof(p->table[0]));
	RSS_ERR(p, &lim, VNH_CTRL_E_MAX_TX_VQ, 8 + 32);
	p->max_tx_vq = 9;
	RSS_ERR(p, &lim, VNH_CTRL_E_MAX_TX_VQ, 8 + 32);
	p->max_tx_vq = 0xffff;
	RSS_ERR(p, &lim, VNH_CTRL_E_MAX_TX_VQ, 8 + 32);
	free(p);

	/* KEY_SIZE: longer than rss_max_key_size (or than 40). */
	p = valid_rss();
	p->key_len = 41;
	RSS_ERR(p, &lim, VNH_CTRL_E_KEY_SIZE, 8 + 32 + 2);
	p->key_len = 255;
	RSS_ERR(p, &lim, VNH_CTRL_E_KEY_SIZE, 8 + 32 + 2);
	p->key_len = 40;
	lim.max_key_size = 39;
	RSS_ERR(p, &lim, VNH_CTRL_E_KEY_SIZE, 8 + 32 + 2);
	p->key_len = 1;
	lim.max_key_size = 0;
	RSS_ERR(p, &lim, VNH_CTRL_E_KEY_SIZE, 8 + 32 + 2);
	free(p);

	/* NO_KEY: hash types but hash_key_length 0. */
	lim = limits();
	p = valid_rss();
	p->key_len = 0;
	RSS_ERR(p, &lim, VNH_CTRL_E_NO_KEY, OFF_ANY);
	p->types = VNH_HASH_TYPE_IPV4;
	RSS_ERR(p, &lim, VNH_CTRL_E_NO_KEY, OFF_ANY);
	free(p);
	free(buf);
}

static void test_hash_config_errors(void **state)
{
	struct vnh_device_limits lim = limits();
	struct hash_pl p = valid_hash();
	uint8_t *buf = plbuf();
	size_t n, i;

	(void)state;
	/* LIMITS */
	n = enc_hash(&p, buf);
	hash_error_at(__FILE__, __LINE__, buf, n, NULL, VNH_CTRL_E_LIMITS,
		      OFF_ANY);
	lim.sz = 4;
	hash_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		      OFF_ANY);
	lim = limits();
	lim.max_key_size = 41;
	hash_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		      OFF_ANY);
	lim = limits();
	lim.max_queue_pairs = 0;
	hash_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		      OFF_ANY);
	lim = limits();
	lim.supported_hash_types = 0x400;
	hash_error_at(__FILE__, __LINE__, buf, n, &lim, VNH_CTRL_E_LIMITS,
		      OFF_ANY);
	/* TRAILING */
	lim = limits();
	buf[n] = 0;
	hash_error_at(__FILE__, __LINE__, buf, n + 1, &lim,
		      VNH_CTRL_E_TRAILING, (long)n);
	/* RESERVED: each of the four fields. */
	for (i = 0; i < 4; i++) {
		p = valid_hash();
		p.reserved[i] = 1;
		HASH_ERR(&p, &lim, VNH_CTRL_E_RESERVED, (long)(4 + 2 * i));
		p.reserved[i] = 0x8000;
		HASH_ERR(&p, &lim, VNH_CTRL_E_RESERVED, (long)(4 + 2 * i));
	}
	/* HASH_TYPES */
	p = valid_hash();
	lim.supported_hash_types = VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_TCPV6;
	HASH_ERR(&p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	lim = limits();
	p.types = 0x200;
	HASH_ERR(&p, &lim, VNH_CTRL_E_HASH_TYPES, 0);
	/* KEY_SIZE */
	p = valid_hash();
	p.key_len = 41;
	HASH_ERR(&p, &lim, VNH_CTRL_E_KEY_SIZE, 12);
	p.key_len = 40;
	lim.max_key_size = 20;
	HASH_ERR(&p, &lim, VNH_CTRL_E_KEY_SIZE, 12);
	/* NO_KEY */
	lim = limits();
	p.key_len = 0;
	HASH_ERR(&p, &lim, VNH_CTRL_E_NO_KEY, OFF_ANY);
	free(buf);
}

/* Every length short of a valid payload: TRUNCATED, nothing applied. */
static void test_truncation(void **state)
{
	struct vnh_device_limits lim = limits();
	struct rss_pl *p = valid_rss();
	struct hash_pl h = valid_hash();
	uint8_t *buf = plbuf();
	size_t n, len;

	(void)state;
	n = enc_rss(p, buf);
	assert_int_equal(n, 8 + 32 + 3 + 40);
	for (len = 0; len < n; len++)
		rss_error_at(__FILE__, __LINE__, buf, len, &lim,
			     VNH_CTRL_E_TRUNCATED, OFF_LE_LEN);
	/* The shortest valid payload: one entry, no types, no key. */
	p->mask = 0;
	p->table[0] = 0;
	p->types = 0;
	p->key_len = 0;
	n = enc_rss(p, buf);
	assert_int_equal(n, 13);
	for (len = 0; len < n; len++)
		rss_error_at(__FILE__, __LINE__, buf, len, &lim,
			     VNH_CTRL_E_TRUNCATED, OFF_LE_LEN);
	n = enc_hash(&h, buf);
	assert_int_equal(n, 53);
	for (len = 0; len < n; len++)
		hash_error_at(__FILE__, __LINE__, buf, len, &lim,
			      VNH_CTRL_E_TRUNCATED, OFF_LE_LEN);
	free(buf);
	free(p);
}

static void test_all_codes_provoked(void **state)
{
	int code;

	(void)state;
	for (code = 1; code < VNH_CTRL_E_COUNT; code++) {
		if (!(codes_seen & (1u << code))) {
			print_error("error code %d (%s) never provoked\n", code,
				    vnh_ctrl_strerror(code));
			fail();
		}
	}
}

static void test_strerror(void **state)
{
	int a, b;

	(void)state;
	for (a = 0; a < VNH_CTRL_E_COUNT; a++) {
		assert_non_null(vnh_ctrl_strerror(a));
		assert_true(vnh_ctrl_strerror(a)[0] != 0);
		for (b = 0; b < a; b++)
			assert_string_not_equal(vnh_ctrl_strerror(a),
						vnh_ctrl_strerror(b));
	}
	assert_non_null(vnh_ctrl_strerror(-1));
	assert_non_null(vnh_ctrl_strerror(VNH_CTRL_E_COUNT));
	assert_non_null(vnh_ctrl_strerror(1000000));
}

static void test_bad_arguments(void **state)
{
	struct vnh_device_limits lim = limits();
	struct rss_pl *p = valid_rss();
	struct vnh_rss *rss = previous();
	struct rss_snap *before = snap_take(rss);
	uint8_t *buf = plbuf();
	size_t n = enc_rss(p, buf);

	(void)state;
	assert_int_equal(vnh_ctrl_rss_config(NULL, buf, n, &lim, NULL, NULL),
			 -EINVAL);
	assert_int_equal(vnh_ctrl_rss_config(rss, NULL, n, &lim, NULL, NULL),
			 -EINVAL);
	assert_int_equal(vnh_ctrl_hash_config(NULL, buf, n, &lim, NULL),
			 -EINVAL);
	assert_int_equal(vnh_ctrl_hash_config(rss, NULL, n, &lim, NULL),
			 -EINVAL);
	EXPECT_UNCHANGED(rss, before);
	assert_true(vnh_ctrl_build_rss_config(NULL, 1, buf, PL_MAX) < 0);
	assert_true(vnh_ctrl_build_rss_config(rss, 1, NULL, 100) < 0);
	free(before);
	free(buf);
	free(p);
	vnh_rss_free(rss);
}

/* ---- round trip with vnh_ctrl_build_rss_config ---- */

static void test_build_round_trip(void **state)
{
	struct vnh_device_limits lim = limits();
	uint16_t *table = malloc(VNH_TABLE_LEN_MAX * sizeof(*table));
	struct rss_pl *p = calloc(1, sizeof(*p));
	uint8_t *mine = plbuf(), *built = plbuf(), key[40];
	size_t iter, i, n, klen, tlen;
	struct vnh_rss *a, *b;
	struct rss_snap *sa, *sb;
	uint16_t tx, queues;
	long got;

	(void)state;
	assert_non_null(table);
	assert_non_null(p);
	lim.max_queue_pairs = VNH_QUEUE_MAX + 1;
	lim.max_table_len = 0xffff;
	rnd_seed(42);
	for (iter = 0; iter < 40; iter++) {
		tlen = (size_t)1 << (iter % 16);
		queues = (uint16_t)(1 + rnd() % (iter % 3 == 0 ? 0x8000 : 16));
		klen = 1 + rnd() % 40;
		rnd_bytes(key, klen);
		for (i = 0; i < tlen; i++)
			table[i] = (uint16_t)(rnd() % queues);
		a = vnh_rss_new();
		assert_non_null(a);
		assert_int_equal(vnh_rss_set_table(a, table, tlen), 0);
		assert_int_equal(vnh_rss_set_key(a, key, klen), 0);
		assert_int_equal(vnh_rss_set_hash_types(a, (uint32_t)rnd() &
							VNH_HASH_TYPE_ALL), 0);
		assert_int_equal(vnh_rss_set_unclassified(a,
				(uint16_t)(rnd() % queues)), 0);
		tx = (uint16_t)(vnh_rss_max_queue(a) + 1);

		/* What a driver would send, encoded here. */
		p->types = vnh_rss_hash_types(a);
		p->mask = (uint16_t)(tlen - 1);
		p->unclassified = vnh_rss_unclassified(a);
		memcpy(p->table, table, tlen * sizeof(*table));
		p->max_tx_vq = tx;
		p->key_len = (uint8_t)klen;
		memcpy(p->key, key, klen);
		n = enc_rss(p, mine);

		/* Size query, too small a buffer: nothing written. */
		assert_int_equal(vnh_ctrl_build_rss_config(a, tx, NULL, 0),
				 (long)n);
		memset(built, 0x5a, n);
		assert_int_equal(vnh_ctrl_build_rss_config(a, tx, built, n - 1),
				 (long)n);
		for (i = 0; i < n; i++)
			assert_int_equal(built[i], 0x5a);
		got = vnh_ctrl_build_rss_config(a, tx, built, PL_MAX);
		assert_int_equal(got, (long)n);
		assert_memory_equal(built, mine, n);

		/* Parsed into a fresh object: the same configuration. */
		b = vnh_rss_new();
		assert_non_null(b);
		tx = 0;
		assert_int_equal(vnh_ctrl_rss_config(b, built, n, &lim, &tx,
						     NULL), 0);
		assert_int_equal(tx, p->max_tx_vq);
		sa = snap_take(a);
		sb = snap_take(b);
		SNAP_EQUAL(sa, sb);
		free(sa);
		free(sb);
		vnh_rss_free(a);
		vnh_rss_free(b);
	}
	free(mine);
	free(built);
	free(table);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rss_config_valid),
		cmocka_unit_test(test_rss_config_no_types_no_key),
		cmocka_unit_test(test_hash_config_valid),
		cmocka_unit_test(test_rss_config_limits),
		cmocka_unit_test(test_rss_config_errors),
		cmocka_unit_test(test_hash_config_errors),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_all_codes_provoked),
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_build_round_trip),
	};

	return cmocka_run_group_tests_name("ctrl", tests, NULL, NULL);
}
