// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The RSS configuration object and queue selection. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vnethash.h"
#include "internal.h"

struct vnh_rss *vnh_rss_new(void)
{
	struct vnh_rss *rss = calloc(1, sizeof(*rss));

	if (!rss)
		return NULL;
	rss->hash_types = VNH_HASH_TYPE_ALL;
	memcpy(rss->key, vnh_default_key, VNH_KEY_SIZE_MAX);
	rss->key_len = VNH_KEY_SIZE_MAX;
	vnh_toeplitz_table_init(&rss->toeplitz, rss->key, rss->key_len);
	rss->table_len = 1;
	return rss;
}

void vnh_rss_free(struct vnh_rss *rss)
{
	free(rss);
}

void vnh_rss_copy(struct vnh_rss *dst, const struct vnh_rss *src)
{
	if (dst && src && dst != src)
		memcpy(dst, src, sizeof(*dst));
}

int vnh_rss_equal(const struct vnh_rss *a, const struct vnh_rss *b)
{
	if (!a || !b)
		return a == b;
	return a->key_len == b->key_len &&
	       !memcmp(a->key, b->key, a->key_len) &&
	       a->hash_types == b->hash_types &&
	       a->unclassified == b->unclassified &&
	       a->table_len == b->table_len &&
	       !memcmp(a->table, b->table, a->table_len * sizeof(a->table[0]));
}

int vnh_rss_set_key(struct vnh_rss *rss, const uint8_t *key, size_t len)
{
	uint8_t copy[VNH_KEY_SIZE_MAX] = { 0 };

	if (!rss || !key || len == 0 || len > VNH_KEY_SIZE_MAX)
		return -EINVAL;
	/* @key may point into rss->key (shortening the current key). */
	memcpy(copy, key, len);
	memcpy(rss->key, copy, sizeof(rss->key));
	rss->key_len = (uint8_t)len;
	return vnh_toeplitz_table_init(&rss->toeplitz, rss->key, len);
}

int vnh_rss_set_hash_types(struct vnh_rss *rss, uint32_t types)
{
	if (!rss || (types & ~VNH_HASH_TYPE_ALL))
		return -EINVAL;
	rss->hash_types = types;
	return 0;
}

int vnh_rss_table_len_ok(size_t len)
{
	return len >= 1 && len <= VNH_TABLE_LEN_MAX && !(len & (len - 1));
}

int vnh_rss_set_table(struct vnh_rss *rss, const uint16_t *table, size_t len)
{
	size_t i;

	if (!rss || !table || !vnh_rss_table_len_ok(len))
		return -EINVAL;
	for (i = 0; i < len; i++)
		if (table[i] > VNH_QUEUE_MAX)
			return -EINVAL;
	memcpy(rss->table, table, len * sizeof(*table));
	rss->table_len = (uint16_t)len;
	return 0;
}

int vnh_rss_set_spread(struct vnh_rss *rss, unsigned int queues, size_t len)
{
	size_t i;

	if (!rss || queues == 0 || queues > VNH_QUEUE_MAX + 1 ||
	    !vnh_rss_table_len_ok(len))
		return -EINVAL;
	for (i = 0; i < len; i++)
		rss->table[i] = (uint16_t)(i % queues);
	rss->table_len = (uint16_t)len;
	return 0;
}

int vnh_rss_set_unclassified(struct vnh_rss *rss, uint16_t queue)
{
	if (!rss || queue > VNH_QUEUE_MAX)
		return -EINVAL;
	rss->unclassified = queue;
	return 0;
}

const uint8_t *vnh_rss_key(const struct vnh_rss *rss, size_t *len)
{
	if (len)
		*len = rss->key_len;
	return rss->key;
}

uint32_t vnh_rss_hash_types(const struct vnh_rss *rss)
{
	return rss->hash_types;
}

const uint16_t *vnh_rss_table(const struct vnh_rss *rss, size_t *len)
{
	if (len)
		*len = rss->table_len;
	return rss->table;
}

uint16_t vnh_rss_unclassified(const struct vnh_rss *rss)
{
	return rss->unclassified;
}

const struct vnh_toeplitz_table *vnh_rss_toeplitz(const struct vnh_rss *rss)
{
	return &rss->toeplitz;
}

uint16_t vnh_rss_max_queue(const struct vnh_rss *rss)
{
	uint16_t max = rss->unclassified;
	size_t i;

	for (i = 0; i < rss->table_len; i++)
		if (rss->table[i] > max)
			max = rss->table[i];
	return max;
}

uint16_t vnh_rss_select_queue(const struct vnh_rss *rss, uint32_t hash,
			      uint16_t report)
{
	return vnh_rss_queue_of(rss, hash, report);
}

int vnh_rss_hash_l3(const struct vnh_rss *rss, uint16_t ethertype,
		    const void *pkt, size_t len, struct vnh_result *res)
{
	int err;

	if (!rss)
		return -EINVAL;
	err = vnh_hash_l3(&rss->toeplitz, rss->hash_types, ethertype, pkt,
			  len, res);
	if (!err)
		res->queue = vnh_rss_select_queue(rss, res->hash, res->report);
	return err;
}
