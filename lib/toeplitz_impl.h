/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * toeplitz_impl.h - the Toeplitz implementations behind
 * vnh_toeplitz_table_hash(), for its dispatcher and for the tests that prove
 * them identical. Private to the library.
 */
#ifndef VNETHASH_TOEPLITZ_IMPL_H
#define VNETHASH_TOEPLITZ_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "vnethash.h"

/* Every implementation hashes at most VNH_HASH_INPUT_MAX bytes of @data. */
typedef uint32_t vnh_toeplitz_fn(const struct vnh_toeplitz_table *table,
				 const void *data, size_t len);

/* Portable C: one table lookup per input byte. */
vnh_toeplitz_fn vnh_toeplitz_scalar;

/*
 * x86-64 with GFNI, AVX512F/BW and AVX512VBMI (lib/toeplitz_gfni.c): one
 * byte permutation and one GF(2) affine transform per 8 matrices. Call it
 * only when vnh_toeplitz_gfni_usable().
 */
vnh_toeplitz_fn vnh_toeplitz_gfni;
int vnh_toeplitz_gfni_usable(void);
/* Two inputs of the same length with one pass of the GFNI path. */
void vnh_toeplitz_gfni_x2(const struct vnh_toeplitz_table *table,
			  const void *a, const void *b, size_t len,
			  uint32_t out[2]);
/* The same with whatever implementation the CPU has (lib/toeplitz.c). */
void vnh_toeplitz_table_hash2(const struct vnh_toeplitz_table *table,
			      const void *a, const void *b, size_t len,
			      uint32_t out[2]);

/* Fill table->gfni from the key (in lib/toeplitz.c; portable C). */
void vnh_toeplitz_gfni_init(struct vnh_toeplitz_table *table,
			    const uint8_t *key, size_t key_len);

#endif /* VNETHASH_TOEPLITZ_IMPL_H */
