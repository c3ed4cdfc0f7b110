// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: VIRTIO_NET_CTRL_MQ_RSS_CONFIG / _HASH_CONFIG payloads
 * under random device limits.
 *
 * Input: byte 0
 *   bit 0      command: RSS_CONFIG or HASH_CONFIG
 *   bit 1      "fix up": make lengths and values consistent first, so the
 *              success path is reached often
 *   bits 2-3   which previous configuration the object holds
 *   bit 4      limits.sz one short
 *   bit 5      raw limits (may be invalid) instead of limits forced valid
 * bytes 1-7: max_queue_pairs (le16), max_table_len (le16), max_key_size,
 * supported_hash_types (le16); the rest is the payload.
 *
 * Checks: a payload is accepted exactly when it breaks no rule (an
 * independent validator here lists the rules it breaks) and a refusal names
 * one of the broken rules, with a message; on error the object and
 * max_tx_vq are unchanged; on success the object holds what the payload
 * says, vnh_ctrl_build_rss_config() gives back the same payload (when it
 * carried a key), and re-parsing the built payload gives the same
 * configuration.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "vnethash.h"
#include "fuzz_check.h"

#define BIT(c) (1u << (c))

struct snap {
	uint32_t types;
	uint8_t key[VNH_KEY_SIZE_MAX];
	size_t key_len;
	uint16_t table[VNH_TABLE_LEN_MAX];
	size_t table_len;
	uint16_t unclassified;
	struct vnh_toeplitz_table tt;
};

static struct vnh_rss *presets[4], *work, *fresh, *pristine;
static struct snap before, after, other;
static int ready;

static void setup(void)
{
	uint8_t key[40];
	size_t i;

	for (i = 0; i < 40; i++)
		key[i] = (uint8_t)(0xc3 ^ (i * 29));
	for (i = 0; i < 4; i++) {
		presets[i] = vnh_rss_new();
		CHECK(presets[i]);
	}
	/* 0: defaults. 1: a 24-byte key, 32 entries over 3 queues. */
	CHECK(vnh_rss_set_key(presets[1], key, 24) == 0);
	CHECK(vnh_rss_set_hash_types(presets[1], 0x0f7) == 0);
	CHECK(vnh_rss_set_spread(presets[1], 3, 32) == 0);
	CHECK(vnh_rss_set_unclassified(presets[1], 2) == 0);
	/* 2: nothing hashed, one entry. */
	CHECK(vnh_rss_set_hash_types(presets[2], 0) == 0);
	CHECK(vnh_rss_set_table(presets[2], (const uint16_t[]){ 5 }, 1) == 0);
	CHECK(vnh_rss_set_unclassified(presets[2], 9) == 0);
	/* 3: a big table over many queues, a 40-byte key. */
	CHECK(vnh_rss_set_key(presets[3], key, 40) == 0);
	CHECK(vnh_rss_set_spread(presets[3], 1000, 4096) == 0);
	CHECK(vnh_rss_set_unclassified(presets[3], 999) == 0);
	work = vnh_rss_new();
	fresh = vnh_rss_new();
	pristine = vnh_rss_new();
	CHECK(work && fresh && pristine);
	ready = 1;
}

static void take(const struct vnh_rss *rss, struct snap *s)
{
	const uint8_t *k = vnh_rss_key(rss, &s->key_len);
	const uint16_t *t = vnh_rss_table(rss, &s->table_len);

	CHECK(s->key_len >= 1 && s->key_len <= VNH_KEY_SIZE_MAX);
	CHECK(s->table_len >= 1 && s->table_len <= VNH_TABLE_LEN_MAX);
	CHECK(!(s->table_len & (s->table_len - 1)));
	memcpy(s->key, k, s->key_len);
	memcpy(s->table, t, s->table_len * sizeof(*t));
	s->types = vnh_rss_hash_types(rss);
	s->unclassified = vnh_rss_unclassified(rss);
	memcpy(&s->tt, vnh_rss_toeplitz(rss), sizeof(s->tt));
}

static int same(const struct snap *a, const struct snap *b)
{
	return a->types == b->types && a->key_len == b->key_len &&
	       !memcmp(a->key, b->key, a->key_len) &&
	       a->table_len == b->table_len &&
	       !memcmp(a->table, b->table, a->table_len * sizeof(a->table[0])) &&
	       a->unclassified == b->unclassified &&
	       !memcmp(&a->tt, &b->tt, sizeof(a->tt));
}

static unsigned int le16(const uint8_t *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v & 0xffff);
	put16(p + 2, v >> 16);
}

static int limits_bad(const struct vnh_device_limits *l)
{
	return l->sz < sizeof(*l) || l->max_queue_pairs == 0 ||
	       l->max_queue_pairs > VNH_QUEUE_MAX + 1 ||
	       l->max_table_len == 0 || l->max_key_size > VNH_KEY_SIZE_MAX ||
	       (l->supported_hash_types & ~VNH_HASH_TYPE_ALL);
}

/* The rules the payload breaks (bit per enum vnh_ctrl_error). */
static unsigned int validate_rss(const uint8_t *p, size_t len,
				 const struct vnh_device_limits *l)
{
	unsigned int v = limits_bad(l) ? BIT(VNH_CTRL_E_LIMITS) : 0;
	size_t n, tail, i, kl;
	unsigned int tx;
	uint32_t types;

	if (len < 8)
		return v | BIT(VNH_CTRL_E_TRUNCATED);
	types = le32(p);
	n = (size_t)le16(p + 4) + 1;
	if (types & ~(l->supported_hash_types & VNH_HASH_TYPE_ALL))
		v |= BIT(VNH_CTRL_E_HASH_TYPES);
	if (n & (n - 1))
		v |= BIT(VNH_CTRL_E_TABLE_MASK);
	if (n > l->max_table_len || n > VNH_TABLE_LEN_MAX)
		v |= BIT(VNH_CTRL_E_TABLE_LEN);
	tail = 8 + 2 * n;
	if (len < tail + 2)
		return v | BIT(VNH_CTRL_E_TRUNCATED);
	tx = le16(p + tail);
	if (tx == 0 || tx > l->max_queue_pairs)
		v |= BIT(VNH_CTRL_E_MAX_TX_VQ);
	if (le16(p + 6) >= tx)
		v |= BIT(VNH_CTRL_E_UNCLASSIFIED);
	for (i = 0; i < n; i++)
		if (le16(p + 8 + 2 * i) >= tx)
			v |= BIT(VNH_CTRL_E_TABLE_QUEUE);
	if (len < tail + 3)
		return v | BIT(VNH_CTRL_E_TRUNCATED);
	kl = p[tail + 2];
	if (kl > l->max_key_size || kl > VNH_KEY_SIZE_MAX)
		v |= BIT(VNH_CTRL_E_KEY_SIZE);
	if (len < tail + 3 + kl)
		v |= BIT(VNH_CTRL_E_TRUNCATED);
	else if (len > tail + 3 + kl)
		v |= BIT(VNH_CTRL_E_TRAILING);
	if (kl == 0 && types)
		v |= BIT(VNH_CTRL_E_NO_KEY);
	return v;
}

static unsigned int validate_hash(const uint8_t *p, size_t len,
				  const struct vnh_device_limits *l)
{
	unsigned int v = limits_bad(l) ? BIT(VNH_CTRL_E_LIMITS) : 0;
	uint32_t types;
	size_t kl;

	if (len < 12)
		return v | BIT(VNH_CTRL_E_TRUNCATED);
	types = le32(p);
	if (le32(p + 4) || le32(p + 8))
		v |= BIT(VNH_CTRL_E_RESERVED);
	if (types & ~(l->supported_hash_types & VNH_HASH_TYPE_ALL))
		v |= BIT(VNH_CTRL_E_HASH_TYPES);
	if (len < 13)
		return v | BIT(VNH_CTRL_E_TRUNCATED);
	kl = p[12];
	if (kl > l->max_key_size || kl > VNH_KEY_SIZE_MAX)
		v |= BIT(VNH_CTRL_E_KEY_SIZE);
	if (len < 13 + kl)
		v |= BIT(VNH_CTRL_E_TRUNCATED);
	else if (len > 13 + kl)
		v |= BIT(VNH_CTRL_E_TRAILING);
	if (kl == 0 && types)
		v |= BIT(VNH_CTRL_E_NO_KEY);
	return v;
}

static size_t min_sz(size_t a, size_t b)
{
	return a < b ? a : b;
}

/* Make an RSS_CONFIG payload valid for @l (which must be valid). */
static size_t fixup_rss(uint8_t *p, size_t len,
			const struct vnh_device_limits *l)
{
	size_t n = 1, tail, i, kl;
	unsigned int tx;
	uint32_t types;

	if (len < 13)
		return len;
	while (n * 2 <= l->max_table_len && n * 2 <= VNH_TABLE_LEN_MAX &&
	       8 + 2 * (n * 2) + 3 <= len)
		n *= 2;
	put16(p + 4, (unsigned int)(n - 1));
	tail = 8 + 2 * n;
	tx = 1 + le16(p + tail) % l->max_queue_pairs;
	put16(p + tail, tx);
	put16(p + 6, le16(p + 6) % tx);
	for (i = 0; i < n; i++)
		put16(p + 8 + 2 * i, le16(p + 8 + 2 * i) % tx);
	kl = min_sz(len - tail - 3, l->max_key_size);
	p[tail + 2] = (uint8_t)kl;
	types = kl ? le32(p) & l->supported_hash_types : 0;
	put32(p, types);
	return tail + 3 + kl;
}

static size_t fixup_hash(uint8_t *p, size_t len,
			 const struct vnh_device_limits *l)
{
	size_t kl;

	if (len < 13)
		return len;
	memset(p + 4, 0, 8);
	kl = min_sz(len - 13, l->max_key_size);
	p[12] = (uint8_t)kl;
	put32(p, kl ? le32(p) & l->supported_hash_types : 0);
	return 13 + kl;
}

/* Limits generous enough for any configuration the object can hold. */
static const struct vnh_device_limits wide = {
	.sz = sizeof(struct vnh_device_limits),
	.max_queue_pairs = VNH_QUEUE_MAX + 1,
	.max_table_len = 0xffff,
	.max_key_size = VNH_KEY_SIZE_MAX,
	.supported_hash_types = VNH_HASH_TYPE_ALL,
};

/* Build @rss as a payload, parse it into a fresh object: same config. */
static void round_trip(const struct vnh_rss *rss, unsigned int tx,
		       const uint8_t *orig, size_t orig_len)
{
	struct vnh_ctrl_status st;
	uint16_t tx2 = 0;
	uint8_t *buf;
	long need;

	need = vnh_ctrl_build_rss_config(rss, (uint16_t)tx, NULL, 0);
	CHECK(need > 0);
	buf = malloc((size_t)need);
	CHECK(buf);
	CHECK(vnh_ctrl_build_rss_config(rss, (uint16_t)tx, buf,
					 (size_t)need) == need);
	if (orig)
		CHECK((size_t)need == orig_len && !memcmp(buf, orig, orig_len));
	vnh_rss_copy(fresh, pristine);
	CHECK(vnh_ctrl_rss_config(fresh, buf, (size_t)need, &wide, &tx2,
				  &st) == 0);
	CHECK(st.code == VNH_CTRL_OK && tx2 == tx);
	take(rss, &after);
	take(fresh, &other);
	CHECK(same(&after, &other));
	free(buf);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct vnh_device_limits lim;
	struct vnh_ctrl_status st;
	unsigned int ctl, v;
	uint16_t tx = 0xbeef;
	uint8_t *p;
	size_t len;
	int hash, rc;

	if (!ready)
		setup();
	if (size < 8)
		return 0;
	ctl = data[0];
	hash = ctl & 1;
	memset(&lim, 0, sizeof(lim));
	lim.sz = sizeof(lim) - ((ctl >> 4) & 1);
	lim.max_queue_pairs = (uint16_t)le16(data + 1);
	lim.max_table_len = (uint16_t)le16(data + 3);
	lim.max_key_size = data[5];
	lim.supported_hash_types = le16(data + 6);
	if (!(ctl & 0x20)) {
		lim.max_queue_pairs = (uint16_t)(1 + lim.max_queue_pairs %
						 (VNH_QUEUE_MAX + 1));
		lim.max_table_len = (uint16_t)(1 + lim.max_table_len % 0xffff);
		lim.max_key_size %= VNH_KEY_SIZE_MAX + 1;
		lim.supported_hash_types &= VNH_HASH_TYPE_ALL;
	}
	len = size - 8;
	p = malloc(len ? len : 1);	/* exact size: ASan */
	CHECK(p);
	memcpy(p, data + 8, len);
	if ((ctl & 2) && !limits_bad(&lim))
		len = hash ? fixup_hash(p, len, &lim) : fixup_rss(p, len, &lim);

	vnh_rss_copy(work, presets[(ctl >> 2) & 3]);
	take(work, &before);
	memset(&st, 0, sizeof(st));
	if (hash) {
		v = validate_hash(p, len, &lim);
		rc = vnh_ctrl_hash_config(work, p, len, &lim, &st);
	} else {
		v = validate_rss(p, len, &lim);
		rc = vnh_ctrl_rss_config(work, p, len, &lim, &tx, &st);
	}
	CHECK(rc == 0 || rc == -EINVAL);
	CHECK(memchr(st.msg, 0, sizeof(st.msg)) && st.msg[0]);
	CHECK(vnh_ctrl_strerror(st.code)[0]);
	if (rc) {
		/* Refused: for a rule it breaks; nothing changed. */
		CHECK(st.code > VNH_CTRL_OK && st.code < VNH_CTRL_E_COUNT);
		if (!(v & BIT(st.code))) {
			fprintf(stderr, "code %d (%s) not in 0x%x\n", st.code,
				st.msg, v);
			CHECK(v & BIT(st.code));
		}
		CHECK(tx == 0xbeef);
		take(work, &after);
		CHECK(same(&before, &after));
		free(p);
		return 0;
	}
	if (v) {
		fprintf(stderr, "accepted, but breaks 0x%x\n", v);
		CHECK(!v);
	}
	CHECK(st.code == VNH_CTRL_OK);
	take(work, &after);
	if (hash) {
		size_t kl = p[12];

		CHECK(after.types == le32(p));
		if (kl)
			CHECK(after.key_len == kl &&
			      !memcmp(after.key, p + 13, kl));
		else
			CHECK(after.key_len == before.key_len &&
			      !memcmp(after.key, before.key, before.key_len));
		CHECK(after.table_len == before.table_len &&
		      !memcmp(after.table, before.table,
			      before.table_len * sizeof(before.table[0])));
		CHECK(after.unclassified == before.unclassified);
		round_trip(work, vnh_rss_max_queue(work) + 1u, NULL, 0);
	} else {
		size_t n = (size_t)le16(p + 4) + 1, tail = 8 + 2 * n, i;
		size_t kl = p[tail + 2];

		CHECK(tx == le16(p + tail));
		CHECK(after.types == le32(p));
		CHECK(after.table_len == n);
		for (i = 0; i < n; i++)
			CHECK(after.table[i] == le16(p + 8 + 2 * i));
		CHECK(after.unclassified == le16(p + 6));
		if (kl)
			CHECK(after.key_len == kl &&
			      !memcmp(after.key, p + tail + 3, kl));
		else
			CHECK(after.key_len == before.key_len &&
			      !memcmp(after.key, before.key, before.key_len));
		/* With a key, building gives back the very payload. */
		round_trip(work, tx, kl ? p : NULL, len);
	}
	free(p);
	return 0;
}
