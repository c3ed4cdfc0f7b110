// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Toeplitz with x86 GFNI (Galois Field New Instructions) and AVX-512: the
 * out-of-line entry points and the permutation tables of the kernels in
 * lib/toeplitz_gfni.h, which explains the method.
 */
#include <stddef.h>
#include <stdint.h>

#include "toeplitz_gfni.h"
#include "toeplitz_impl.h"

#ifdef VNH_GFNI

/*
 * VPERMB indices: vector k, lane l (m = 8k + l), byte s: input byte
 * m - 3 + s (J) or, before the input, 63 (a zero). Upper 4 bytes: 63 (one
 * input), or the second input's bytes 64 + j (K, two inputs).
 */
#define J(m, s) ((m) - 3 + (s) >= 0 ? (m) - 3 + (s) : 63)
#define K(m, s) ((m) - 3 + (s) >= 0 ? 64 + (m) - 3 + (s) : 63)
#define LANE1(m) J(m, 0), J(m, 1), J(m, 2), J(m, 3), 63, 63, 63, 63
#define LANE2(m) J(m, 0), J(m, 1), J(m, 2), J(m, 3), \
	K(m, 0), K(m, 1), K(m, 2), K(m, 3)
#define VEC(L, k) L(8 * (k)), L(8 * (k) + 1), L(8 * (k) + 2), \
	L(8 * (k) + 3), L(8 * (k) + 4), L(8 * (k) + 5),       \
	L(8 * (k) + 6), L(8 * (k) + 7)
#define TABLE(L) { VEC(L, 0) }, { VEC(L, 1) }, { VEC(L, 2) }, \
	{ VEC(L, 3) }, { VEC(L, 4) }

const uint8_t vnh_gfni_idx[VNH_GFNI_VECTORS][64]
	__attribute__((aligned(64))) = { TABLE(LANE1) };
const uint8_t vnh_gfni_idx2[VNH_GFNI_VECTORS][64]
	__attribute__((aligned(64))) = { TABLE(LANE2) };

#undef TABLE
#undef VEC
#undef LANE2
#undef LANE1
#undef K
#undef J

VNH_GFNI_TARGET uint32_t vnh_toeplitz_gfni(const struct vnh_toeplitz_table *table,
					   const void *data, size_t len)
{
	/* The lengths of the 4-tuples unrolled, the others in a loop. */
	if (len == 12)
		return vnh_gfni_hash(table, data, 12);
	if (len >= 36)
		return vnh_gfni_hash(table, data, 36);
	if (len == 8)
		return vnh_gfni_hash(table, data, 8);
	if (len == 32)
		return vnh_gfni_hash(table, data, 32);
	return (uint32_t)vnh_gfni_reduce(
		vnh_gfni_sum(table, vnh_gfni_load(data, len),
			     (unsigned int)(len + 3 + 7) / 8));
}

VNH_GFNI_TARGET void vnh_toeplitz_gfni_x2(const struct vnh_toeplitz_table *table,
					  const void *a, const void *b,
					  size_t len, uint32_t out[2])
{
	vnh_gfni_hash2(table, a, b, len > VNH_HASH_INPUT_MAX ?
		       VNH_HASH_INPUT_MAX : len, out);
}

int vnh_toeplitz_gfni_usable(void)
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("gfni") &&
	       __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vbmi");
}

#else	/* not x86-64: the scalar path only */

uint32_t vnh_toeplitz_gfni(const struct vnh_toeplitz_table *table,
			   const void *data, size_t len)
{
	return vnh_toeplitz_scalar(table, data, len);
}

void vnh_toeplitz_gfni_x2(const struct vnh_toeplitz_table *table,
			  const void *a, const void *b, size_t len,
			  uint32_t out[2])
{
	out[0] = vnh_toeplitz_scalar(table, a, len);
	out[1] = vnh_toeplitz_scalar(table, b, len);
}

int vnh_toeplitz_gfni_usable(void)
{
	return 0;
}

#endif
