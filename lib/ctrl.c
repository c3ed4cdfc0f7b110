// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * VIRTIO_NET_CTRL_MQ_RSS_CONFIG / _HASH_CONFIG payloads: parse, validate
 * against the device's limits, apply only when everything is valid.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vnethash.h"
#include "internal.h"

static const char *const ctrl_errors[VNH_CTRL_E_COUNT] = {
	[VNH_CTRL_OK] = "success",
	[VNH_CTRL_E_LIMITS] = "invalid device limits",
	[VNH_CTRL_E_TRUNCATED] = "payload truncated",
	[VNH_CTRL_E_TRAILING] = "trailing bytes after the hash key",
	[VNH_CTRL_E_HASH_TYPES] = "hash types not supported by the device",
	[VNH_CTRL_E_TABLE_MASK] = "indirection table length is not a power of two",
	[VNH_CTRL_E_TABLE_LEN] = "indirection table longer than the device allows",
	[VNH_CTRL_E_TABLE_QUEUE] = "indirection table names a queue beyond max_tx_vq",
	[VNH_CTRL_E_UNCLASSIFIED] = "unclassified queue beyond max_tx_vq",
	[VNH_CTRL_E_MAX_TX_VQ] = "max_tx_vq out of range",
	[VNH_CTRL_E_KEY_SIZE] = "hash key longer than the device allows",
	[VNH_CTRL_E_NO_KEY] = "hash types enabled without a hash key",
	[VNH_CTRL_E_RESERVED] = "reserved field not zero",
};

const char *vnh_ctrl_strerror(int code)
{
	if (code < 0 || code >= VNH_CTRL_E_COUNT)
		return "unknown control command error";
	return ctrl_errors[code];
}

__attribute__((format(printf, 4, 5)))
static int fail(struct vnh_ctrl_status *st, int code, size_t offset,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	if (st) {
		st->code = code;
		st->offset = (uint32_t)offset;
		n = snprintf(st->msg, sizeof(st->msg), "%s: ",
			     vnh_ctrl_strerror(code));
		va_start(ap, fmt);
		vsnprintf(st->msg + n, sizeof(st->msg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void succeed(struct vnh_ctrl_status *st)
{
	if (st) {
		st->code = VNH_CTRL_OK;
		st->offset = 0;
		snprintf(st->msg, sizeof(st->msg), "%s",
			 vnh_ctrl_strerror(VNH_CTRL_OK));
	}
}

static uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static int check_limits(const struct vnh_device_limits *lim,
			struct vnh_ctrl_status *st)
{
	if (!lim || lim->sz < sizeof(*lim))
		return fail(st, VNH_CTRL_E_LIMITS, 0,
			    "limits missing or sz too small");
	if (lim->max_queue_pairs == 0 || lim->max_queue_pairs > VNH_QUEUE_MAX + 1)
		return fail(st, VNH_CTRL_E_LIMITS, 0,
			    "max_queue_pairs %u not in 1..%u",
			    lim->max_queue_pairs, VNH_QUEUE_MAX + 1);
	if (lim->max_table_len == 0)
		return fail(st, VNH_CTRL_E_LIMITS, 0,
			    "rss_max_indirection_table_length is 0");
	if (lim->max_key_size > VNH_KEY_SIZE_MAX)
		return fail(st, VNH_CTRL_E_LIMITS, 0,
			    "rss_max_key_size %u above the %u vnethash supports",
			    lim->max_key_size, VNH_KEY_SIZE_MAX);
	if (lim->supported_hash_types & ~VNH_HASH_TYPE_ALL)
		return fail(st, VNH_CTRL_E_LIMITS, 0,
			    "supported_hash_types 0x%x has unknown bits",
			    lim->supported_hash_types);
	return 0;
}

/* Checks shared by both commands: hash types and the key at @off. */
static int check_types_key(const uint8_t *p, size_t len, size_t off,
			   uint32_t types, const struct vnh_device_limits *lim,
			   struct vnh_ctrl_status *st)
{
	uint8_t key_len;

	if (types & ~lim->supported_hash_types)
		return fail(st, VNH_CTRL_E_HASH_TYPES, 0,
			    "hash_types 0x%x, device supports 0x%x",
			    types, lim->supported_hash_types);
	if (len < off + 1)
		return fail(st, VNH_CTRL_E_TRUNCATED, len,
			    "%zu bytes, hash_key_length at offset %zu",
			    len, off);
	key_len = p[off];
	if (key_len > lim->max_key_size)
		return fail(st, VNH_CTRL_E_KEY_SIZE, off,
			    "hash_key_length %u, rss_max_key_size %u",
			    key_len, lim->max_key_size);
	if (len < off + 1 + key_len)
		return fail(st, VNH_CTRL_E_TRUNCATED, len,
			    "%zu bytes, the %u-byte key needs %zu",
			    len, key_len, off + 1 + key_len);
	if (len > off + 1 + key_len)
		return fail(st, VNH_CTRL_E_TRAILING, off + 1 + key_len,
			    "%zu bytes, expected %zu", len,
			    off + 1 + key_len);
	if (key_len == 0 && types)
		return fail(st, VNH_CTRL_E_NO_KEY, off,
			    "hash_types 0x%x with hash_key_length 0", types);
	return 0;
}

static void apply_types_key(struct vnh_rss *rss, uint32_t types,
			    const uint8_t *key, uint8_t key_len)
{
	rss->hash_types = types;
	/* Without a key nothing is hashed (types are 0): keep the old one. */
	if (key_len)
		vnh_rss_set_key(rss, key, key_len);
}

int vnh_ctrl_rss_config(struct vnh_rss *rss, const void *payload, size_t len,
			const struct vnh_device_limits *lim,
			uint16_t *max_tx_vq, struct vnh_ctrl_status *st)
{
	const uint8_t *p = payload;
	uint32_t types, n, i;
	uint16_t unclassified, tx_vq;
	size_t tail;
	int err;

	if (!rss || (!p && len))
		return -EINVAL;
	err = check_limits(lim, st);
	if (err)
		return err;
	if (len < 8)
		return fail(st, VNH_CTRL_E_TRUNCATED, len,
			    "%zu bytes, the fixed header needs 8", len);
	types = get_le32(p);
	n = (uint32_t)get_le16(p + 4) + 1;
	unclassified = get_le16(p + 6);
	if (n & (n - 1))
		return fail(st, VNH_CTRL_E_TABLE_MASK, 4,
			    "indirection_table_mask 0x%x", n - 1);
	if (n > lim->max_table_len || n > VNH_TABLE_LEN_MAX)
		return fail(st, VNH_CTRL_E_TABLE_LEN, 4,
			    "%u entries, rss_max_indirection_table_length %u",
			    n, lim->max_table_len);
	tail = 8 + 2 * (size_t)n;
	if (len < tail + 2)
		return fail(st, VNH_CTRL_E_TRUNCATED, len,
			    "%zu bytes, a %u-entry table needs %zu before the key",
			    len, n, tail + 3);
	tx_vq = get_le16(p + tail);
	if (tx_vq == 0 || tx_vq > lim->max_queue_pairs)
		return fail(st, VNH_CTRL_E_MAX_TX_VQ, tail,
			    "max_tx_vq %u, device has %u queue pairs",
			    tx_vq, lim->max_queue_pairs);
	if (unclassified >= tx_vq)
		return fail(st, VNH_CTRL_E_UNCLASSIFIED, 6,
			    "unclassified_queue %u, max_tx_vq %u",
			    unclassified, tx_vq);
	for (i = 0; i < n; i++) {
		uint16_t q = get_le16(p + 8 + 2 * i);

		if (q >= tx_vq)
			return fail(st, VNH_CTRL_E_TABLE_QUEUE, 8 + 2 * i,
				    "entry %u is queue %u, max_tx_vq %u",
				    i, q, tx_vq);
	}
	err = check_types_key(p, len, tail + 2, types, lim, st);
	if (err)
		return err;

	apply_types_key(rss, types, p + tail + 3, p[tail + 2]);
	for (i = 0; i < n; i++)
		rss->table[i] = get_le16(p + 8 + 2 * i);
	rss->table_len = (uint16_t)n;
	rss->unclassified = unclassified;
	if (max_tx_vq)
		*max_tx_vq = tx_vq;
	succeed(st);
	return 0;
}

int vnh_ctrl_hash_config(struct vnh_rss *rss, const void *payload, size_t len,
			 const struct vnh_device_limits *lim,
			 struct vnh_ctrl_status *st)
{
	const uint8_t *p = payload;
	uint32_t types;
	int err, i;

	if (!rss || (!p && len))
		return -EINVAL;
	err = check_limits(lim, st);
	if (err)
		return err;
	if (len < 12)
		return fail(st, VNH_CTRL_E_TRUNCATED, len,
			    "%zu bytes, the fixed header needs 12", len);
	types = get_le32(p);
	for (i = 0; i < 4; i++)
		if (get_le16(p + 4 + 2 * i))
			return fail(st, VNH_CTRL_E_RESERVED, 4 + 2 * i,
				    "reserved[%d] is 0x%x", i,
				    get_le16(p + 4 + 2 * i));
	err = check_types_key(p, len, 12, types, lim, st);
	if (err)
		return err;
	apply_types_key(rss, types, p + 13, p[12]);
	succeed(st);
	return 0;
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

long vnh_ctrl_build_rss_config(const struct vnh_rss *rss, uint16_t max_tx_vq,
			       void *buf, size_t size)
{
	size_t need, i, tail;
	uint8_t *p = buf;

	if (!rss || (!buf && size))
		return -EINVAL;
	tail = 8 + 2 * (size_t)rss->table_len;
	need = tail + 3 + rss->key_len;
	if (size < need)
		return (long)need;
	put_le16(p, (uint16_t)rss->hash_types);
	put_le16(p + 2, (uint16_t)(rss->hash_types >> 16));
	put_le16(p + 4, (uint16_t)(rss->table_len - 1));
	put_le16(p + 6, rss->unclassified);
	for (i = 0; i < rss->table_len; i++)
		put_le16(p + 8 + 2 * i, rss->table[i]);
	put_le16(p + tail, max_tx_vq);
	p[tail + 2] = rss->key_len;
	memcpy(p + tail + 3, rss->key, rss->key_len);
	return (long)need;
}
