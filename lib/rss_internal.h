/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Layout of struct vnh_rss, private to libvnethash. */
#ifndef VNETHASH_RSS_INTERNAL_H
#define VNETHASH_RSS_INTERNAL_H

#include "vnethash.h"

struct vnh_rss {
	uint32_t hash_types;
	uint8_t key[VNH_KEY_SIZE_MAX];
	uint8_t key_len;
	uint16_t unclassified;
	uint16_t table_len;
	uint16_t table[VNH_TABLE_LEN_MAX];
	struct vnh_toeplitz_table toeplitz;	/* derived from key */
};

int vnh_rss_table_len_ok(size_t len);

#endif
