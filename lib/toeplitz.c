// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Toeplitz hash: the bit-by-bit reference, the per-key tables, the scalar
 * table-driven hash and the choice between it and the GFNI one
 * (lib/toeplitz_gfni.c, lib/toeplitz_gfni.h) at run time.
 */
#include <errno.h>
#include <string.h>

#include "toeplitz_impl.h"
#include "vnethash.h"

const uint8_t vnh_default_key[VNH_KEY_SIZE_MAX] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
	0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
	0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
	0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
	0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static unsigned int key_bit(const uint8_t *key, size_t key_len, size_t bit)
{
	if (bit / 8 >= key_len)
		return 0;
	return (key[bit / 8] >> (7 - bit % 8)) & 1;
}

/* The 32 key bits starting at bit @pos: what input bit @pos contributes. */
static uint32_t key_window(const uint8_t *key, size_t key_len, size_t pos)
{
	uint32_t w = 0;
	size_t i;

	for (i = 0; i < 32; i++)
		w = w << 1 | key_bit(key, key_len, pos + i);
	return w;
}

uint32_t vnh_toeplitz(const uint8_t *key, size_t key_len,
		      const void *data, size_t len)
{
	const uint8_t *in = data;
	uint32_t hash = 0, window;
	size_t i;
	int b;

	if (!key || !data)
		return 0;
	window = key_window(key, key_len, 0);
	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (in[i] & (1u << b))
				hash ^= window;
			window = window << 1 |
				 key_bit(key, key_len, i * 8 + (7 - b) + 32);
		}
	}
	return hash;
}

int vnh_toeplitz_table_init(struct vnh_toeplitz_table *table,
			    const uint8_t *key, size_t key_len)
{
	size_t pos, b;

	if (!table || !key || key_len == 0 || key_len > VNH_KEY_SIZE_MAX)
		return -EINVAL;
	for (pos = 0; pos < VNH_HASH_INPUT_MAX; pos++) {
		uint32_t *row = &table->entry[pos * 256];
		uint32_t bit_window[8];

		/* Bit 7 of the byte is the earliest input bit. */
		for (b = 0; b < 8; b++)
			bit_window[b] = key_window(key, key_len,
						   pos * 8 + (7 - b));
		row[0] = 0;
		/* Each value = a smaller value plus its lowest set bit. */
		for (b = 1; b < 256; b++)
			row[b] = row[b & (b - 1)] ^
				 bit_window[__builtin_ctz((unsigned int)b)];
	}
	vnh_toeplitz_gfni_init(table, key, key_len);
	return 0;
}

/*
 * Matrix m (see lib/toeplitz_gfni.h): byte r holds the 8 key bits from bit
 * 8m + r on, most significant first; GF2P8AFFINEQB takes byte 7 - i as
 * the row of result bit i.
 */
void vnh_toeplitz_gfni_init(struct vnh_toeplitz_table *table,
			    const uint8_t *key, size_t key_len)
{
	size_t m, r, k;

	for (m = 0; m < VNH_KEY_SIZE_MAX; m++) {
		uint64_t mat = 0;

		for (r = 0; r < 8; r++) {
			unsigned int row = 0;

			for (k = 0; k < 8; k++)
				row = row << 1 |
				      key_bit(key, key_len, m * 8 + r + k);
			mat |= (uint64_t)row << (8 * r);
		}
		table->gfni[m] = mat;
	}
}

uint32_t vnh_toeplitz_scalar(const struct vnh_toeplitz_table *table,
			     const void *data, size_t len)
{
	const uint32_t *e = table->entry;
	const uint8_t *in = data;
	uint32_t h0 = 0, h1 = 0;
	size_t i = 0;

	/* The lengths of IPv4 and IPv6 inputs, unrolled. */
	if (len == 12)
		return vnh_scalar_hash(table, data, 12);
	if (len >= VNH_HASH_INPUT_MAX)
		return vnh_scalar_hash(table, data, VNH_HASH_INPUT_MAX);
	if (len == 8)
		return vnh_scalar_hash(table, data, 8);
	if (len == 32)
		return vnh_scalar_hash(table, data, 32);
	/* Two chains of XORs, so two lookups are in flight at a time. */
	for (; i + 4 <= len; i += 4, e += 4 * 256) {
		h0 ^= e[in[i]] ^ e[256 + in[i + 1]];
		h1 ^= e[512 + in[i + 2]] ^ e[768 + in[i + 3]];
	}
	for (; i < len; i++, e += 256)
		h0 ^= e[in[i]];
	return h0 ^ h1;
}

/* -1: not chosen yet; then 1 (GFNI) or 0 (scalar) for this CPU. */
int vnh_toeplitz_gfni_state = -1;

int vnh_toeplitz_choose(void)
{
	int v = vnh_toeplitz_gfni_usable();

	__atomic_store_n(&vnh_toeplitz_gfni_state, v, __ATOMIC_RELAXED);
	return v;
}

uint32_t vnh_toeplitz_table_hash(const struct vnh_toeplitz_table *table,
				 const void *data, size_t len)
{
	return vnh_toeplitz_use_gfni() ? vnh_toeplitz_gfni(table, data, len) :
					 vnh_toeplitz_scalar(table, data, len);
}

void vnh_toeplitz_table_hash2(const struct vnh_toeplitz_table *table,
			      const void *a, const void *b, size_t len,
			      uint32_t out[2])
{
	if (vnh_toeplitz_use_gfni()) {
		vnh_toeplitz_gfni_x2(table, a, b, len, out);
	} else {
		out[0] = vnh_toeplitz_scalar(table, a, len);
		out[1] = vnh_toeplitz_scalar(table, b, len);
	}
}

const char *vnh_toeplitz_impl(void)
{
	return vnh_toeplitz_use_gfni() ? "gfni" : "scalar";
}
