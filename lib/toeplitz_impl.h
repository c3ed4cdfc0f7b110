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
 * Its kernel, inline for the whole-frame path: @len a constant multiple of
 * 4 up to 36 where inlined. Byte i's contribution is
 * entry[i * 256 + byte]; groups of four XOR in chains of their own, so
 * several lookups are in flight at a time.
 */
static inline __attribute__((always_inline)) uint32_t
vnh_scalar_hash(const struct vnh_toeplitz_table *table, const void *data,
		size_t len)
{
	const uint32_t *e = table->entry;
	const uint8_t *in = data;
	uint32_t h = 0;
	size_t i;

#pragma GCC unroll 9
	for (i = 0; i + 4 <= len; i += 4)
		h ^= (e[i * 256 + in[i]] ^ e[(i + 1) * 256 + in[i + 1]]) ^
		     (e[(i + 2) * 256 + in[i + 2]] ^
		      e[(i + 3) * 256 + in[i + 3]]);
	return h;
}

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

/*
 * Which one vnh_toeplitz_table_hash() and the whole-frame path use: 1 for
 * GFNI, 0 for scalar; chosen on first use (vnh_toeplitz_choose()).
 */
extern int vnh_toeplitz_gfni_state __attribute__((visibility("hidden")));
__attribute__((visibility("hidden"))) int vnh_toeplitz_choose(void);

static inline int vnh_toeplitz_use_gfni(void)
{
	int v = __atomic_load_n(&vnh_toeplitz_gfni_state, __ATOMIC_RELAXED);

	return v >= 0 ? v : vnh_toeplitz_choose();
}

/*
 * vnh_rss_hash_frame() and vnh_rss_hash_frames() with the scalar (@gfni 0)
 * or the GFNI (1; only where vnh_toeplitz_gfni_usable()) implementation,
 * whatever the dispatcher chose (lib/hash.c), for the tests.
 */
__attribute__((visibility("hidden")))
int vnh_rss_hash_frame_with(int gfni, const struct vnh_rss *rss,
			    const void *frame, size_t len,
			    struct vnh_result *res);
__attribute__((visibility("hidden")))
int vnh_rss_hash_frames_with(int gfni, const struct vnh_rss *rss,
			     const void *const *frames, const size_t *lens,
			     size_t n, struct vnh_result *res);

/* Fill table->gfni from the key (in lib/toeplitz.c; portable C). */
void vnh_toeplitz_gfni_init(struct vnh_toeplitz_table *table,
			    const uint8_t *key, size_t key_len);

#endif /* VNETHASH_TOEPLITZ_IMPL_H */
