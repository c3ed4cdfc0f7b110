/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * toeplitz_gfni.h - the GFNI Toeplitz kernels, inline, for
 * lib/toeplitz_gfni.c and for the whole-frame path (lib/hash.c), which
 * inlines them into functions built for the same instruction set. Private
 * to the library; x86-64 only (VNH_GFNI defined).
 *
 * Toeplitz hashing is linear over GF(2). Number the 32-bit hash's bytes
 * q = 0..3 from the most significant and the input bytes j = 0..len-1.
 * Input byte b_j adds to hash byte q the 8 parities of b_j AND the 8-bit
 * key windows starting at key bits 8(j + q) + r, r = 0..7: an 8x8 bit
 * matrix times b_j, and the matrix depends on m = j + q only. So with one
 * matrix A_m per 64-bit lane (table->gfni[m], built by
 * vnh_toeplitz_gfni_init()) and, in that lane, the bytes b_m, b_(m-1),
 * b_(m-2), b_(m-3) as the contributions to hash bytes 0..3,
 * VGF2P8AFFINEQB computes every contribution of 8 lanes at once. The lanes'
 * XOR is the hash. An input of len bytes needs lanes m = 0..len+2: 2
 * vectors for 12 bytes (IPv4 4-tuple), 5 for 36 (IPv6).
 *
 * Lane byte s (0..3) holds b_(m-3+s), so the 4 bytes of the XOR read as a
 * little-endian 32-bit number are the hash. VPERMB places the bytes; index
 * 63 picks a zero (the input is loaded with its bytes past len cleared).
 * The pair kernel puts a second input's bytes in the lanes' upper 4 bytes
 * (VPERMI2B picks from both), so the lanes' XOR holds the first hash in its
 * low 32 bits and the second in its high.
 */
#ifndef VNETHASH_TOEPLITZ_GFNI_H
#define VNETHASH_TOEPLITZ_GFNI_H

#include <stddef.h>
#include <stdint.h>

#include "vnethash.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define VNH_GFNI 1
#include <immintrin.h>

#define VNH_GFNI_TARGET \
	__attribute__((target("gfni,avx512f,avx512bw,avx512vbmi")))
/* A kernel: inlined into a caller with VNH_GFNI_TARGET. */
#define VNH_GFNI_KERNEL VNH_GFNI_TARGET \
	static inline __attribute__((always_inline))
#define VNH_GFNI_VECTORS 5	/* 40 lanes: m up to 35 + 3 */

/* VPERMB indices of vector k (lanes m = 8k..8k+7): one input, and two. */
extern const uint8_t vnh_gfni_idx[VNH_GFNI_VECTORS][64]
	__attribute__((visibility("hidden")));
extern const uint8_t vnh_gfni_idx2[VNH_GFNI_VECTORS][64]
	__attribute__((visibility("hidden")));

/* Vector @k's lanes of input @in (its bytes past its length zero). */
VNH_GFNI_KERNEL __m512i vnh_gfni_lanes(const struct vnh_toeplitz_table *t,
				       __m512i in, unsigned int k)
{
	__m512i idx = _mm512_load_si512((const void *)vnh_gfni_idx[k]);
	__m512i mat = _mm512_loadu_si512((const void *)&t->gfni[8 * k]);

	return _mm512_gf2p8affine_epi64_epi8(_mm512_permutexvar_epi8(idx, in),
					     mat, 0);
}

/* The same for two inputs at once. */
VNH_GFNI_KERNEL __m512i vnh_gfni_lanes2(const struct vnh_toeplitz_table *t,
					__m512i a, __m512i b, unsigned int k)
{
	__m512i idx = _mm512_load_si512((const void *)vnh_gfni_idx2[k]);
	__m512i mat = _mm512_loadu_si512((const void *)&t->gfni[8 * k]);

	return _mm512_gf2p8affine_epi64_epi8(
		_mm512_permutex2var_epi8(a, idx, b), mat, 0);
}

/* The XOR of the 8 lanes of @acc. */
VNH_GFNI_KERNEL uint64_t vnh_gfni_reduce(__m512i acc)
{
	__m256i y = _mm256_xor_si256(_mm512_castsi512_si256(acc),
				     _mm512_extracti64x4_epi64(acc, 1));
	__m128i x = _mm_xor_si128(_mm256_castsi256_si128(y),
				  _mm256_extracti128_si256(y, 1));

	return (uint64_t)_mm_cvtsi128_si64(x) ^
	       (uint64_t)_mm_extract_epi64(x, 1);
}

/* @len (at most 36) bytes at @p, the bytes after them zero. */
VNH_GFNI_KERNEL __m512i vnh_gfni_load(const void *p, size_t len)
{
	return _mm512_maskz_loadu_epi8((__mmask64)((1ull << len) - 1), p);
}

/*
 * The lanes of vectors 0..n-1 XORed: n is a constant where it is inlined,
 * so the loop unrolls; pairs of vectors combine in one three-way XOR.
 */
VNH_GFNI_KERNEL __m512i vnh_gfni_sum(const struct vnh_toeplitz_table *t,
				     __m512i in, unsigned int n)
{
	__m512i acc = vnh_gfni_lanes(t, in, 0);
	unsigned int k = 1;

#pragma GCC unroll 5
	for (; k + 1 < n; k += 2)
		acc = _mm512_ternarylogic_epi64(acc, vnh_gfni_lanes(t, in, k),
						vnh_gfni_lanes(t, in, k + 1),
						0x96);
	if (k < n)
		acc = _mm512_xor_si512(acc, vnh_gfni_lanes(t, in, k));
	return acc;
}

/* Hash @len bytes at @p; @len a constant of 1..36 where inlined. */
VNH_GFNI_KERNEL uint32_t vnh_gfni_hash(const struct vnh_toeplitz_table *t,
				       const void *p, size_t len)
{
	return (uint32_t)vnh_gfni_reduce(
		vnh_gfni_sum(t, vnh_gfni_load(p, len),
			     (unsigned int)(len + 3 + 7) / 8));
}

/* Two inputs of @len bytes in one pass: out[0] of @a, out[1] of @b. */
VNH_GFNI_KERNEL void vnh_gfni_hash2(const struct vnh_toeplitz_table *t,
				    const void *a, const void *b, size_t len,
				    uint32_t out[2])
{
	__m512i va = vnh_gfni_load(a, len), vb = vnh_gfni_load(b, len);
	__m512i acc = vnh_gfni_lanes2(t, va, vb, 0);
	unsigned int k, n = (unsigned int)(len + 3 + 7) / 8;
	uint64_t q;

#pragma GCC unroll 5
	for (k = 1; k < n; k++)
		acc = _mm512_xor_si512(acc, vnh_gfni_lanes2(t, va, vb, k));
	q = vnh_gfni_reduce(acc);
	out[0] = (uint32_t)q;
	out[1] = (uint32_t)(q >> 32);
}

#endif /* x86-64 */
#endif /* VNETHASH_TOEPLITZ_GFNI_H */
