// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Toeplitz with x86 GFNI (Galois Field New Instructions) and AVX-512.
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
 */
#include <stddef.h>
#include <stdint.h>

#include "toeplitz_impl.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define VNH_GFNI_TARGET \
	__attribute__((target("gfni,avx512f,avx512bw,avx512vbmi")))
#define VNH_GFNI_VECTORS 5	/* 40 lanes: m up to 35 + 3 */

/* VPERMB indices: vector k, lane l (m = 8k + l), byte s. */
static const uint8_t gfni_idx[VNH_GFNI_VECTORS][64]
	__attribute__((aligned(64))) = {
#define J(m, s) ((m) - 3 + (s) >= 0 ? (m) - 3 + (s) : 63)
#define LANE(m) J(m, 0), J(m, 1), J(m, 2), J(m, 3), 63, 63, 63, 63
#define VEC(k) LANE(8 * (k)), LANE(8 * (k) + 1), LANE(8 * (k) + 2), \
	LANE(8 * (k) + 3), LANE(8 * (k) + 4), LANE(8 * (k) + 5),    \
	LANE(8 * (k) + 6), LANE(8 * (k) + 7)
	{ VEC(0) }, { VEC(1) }, { VEC(2) }, { VEC(3) }, { VEC(4) },
#undef VEC
#undef LANE
#undef J
};

VNH_GFNI_TARGET static inline __m512i
gfni_lanes(const struct vnh_toeplitz_table *table, __m512i in, unsigned int k)
{
	__m512i idx = _mm512_load_si512((const void *)gfni_idx[k]);
	__m512i mat = _mm512_loadu_si512((const void *)&table->gfni[8 * k]);

	return _mm512_gf2p8affine_epi64_epi8(_mm512_permutexvar_epi8(idx, in),
					     mat, 0);
}

VNH_GFNI_TARGET static inline uint32_t gfni_reduce(__m512i acc)
{
	__m256i y = _mm256_xor_si256(_mm512_castsi512_si256(acc),
				     _mm512_extracti64x4_epi64(acc, 1));
	__m128i x = _mm_xor_si128(_mm256_castsi256_si128(y),
				  _mm256_extracti128_si256(y, 1));

	return (uint32_t)(_mm_cvtsi128_si64(x) ^ _mm_extract_epi64(x, 1));
}

VNH_GFNI_TARGET uint32_t vnh_toeplitz_gfni(const struct vnh_toeplitz_table *table,
					   const void *data, size_t len)
{
	__m512i in, acc;
	unsigned int k, n;

	if (len > VNH_HASH_INPUT_MAX)
		len = VNH_HASH_INPUT_MAX;
	in = _mm512_maskz_loadu_epi8((__mmask64)((1ull << len) - 1), data);
	/* The two lengths that matter, with their vectors unrolled. */
	if (len == 12)
		return gfni_reduce(_mm512_xor_si512(gfni_lanes(table, in, 0),
						    gfni_lanes(table, in, 1)));
	if (len == 36)
		return gfni_reduce(_mm512_ternarylogic_epi64(
			_mm512_xor_si512(gfni_lanes(table, in, 0),
					 gfni_lanes(table, in, 1)),
			_mm512_xor_si512(gfni_lanes(table, in, 2),
					 gfni_lanes(table, in, 3)),
			gfni_lanes(table, in, 4), 0x96));
	n = (unsigned int)(len + 3 + 7) / 8;
	acc = _mm512_setzero_si512();
	for (k = 0; k < n; k++)
		acc = _mm512_xor_si512(acc, gfni_lanes(table, in, k));
	return gfni_reduce(acc);
}

/*
 * Two inputs of the same length at once: the second one's bytes go to the
 * lanes' upper 4 bytes (VPERMI2B picks from both inputs), so the lanes'
 * XOR holds the first hash in its low 32 bits and the second in its high.
 */
static const uint8_t gfni_idx2[VNH_GFNI_VECTORS][64]
	__attribute__((aligned(64))) = {
#define J(m, s) ((m) - 3 + (s) >= 0 ? (m) - 3 + (s) : 63)
#define K(m, s) ((m) - 3 + (s) >= 0 ? 64 + (m) - 3 + (s) : 63)
#define LANE(m) J(m, 0), J(m, 1), J(m, 2), J(m, 3), \
	K(m, 0), K(m, 1), K(m, 2), K(m, 3)
#define VEC(k) LANE(8 * (k)), LANE(8 * (k) + 1), LANE(8 * (k) + 2), \
	LANE(8 * (k) + 3), LANE(8 * (k) + 4), LANE(8 * (k) + 5),    \
	LANE(8 * (k) + 6), LANE(8 * (k) + 7)
	{ VEC(0) }, { VEC(1) }, { VEC(2) }, { VEC(3) }, { VEC(4) },
#undef VEC
#undef LANE
#undef K
#undef J
};

VNH_GFNI_TARGET static inline __m512i
gfni_lanes2(const struct vnh_toeplitz_table *table, __m512i a, __m512i b,
	    unsigned int k)
{
	__m512i idx = _mm512_load_si512((const void *)gfni_idx2[k]);
	__m512i mat = _mm512_loadu_si512((const void *)&table->gfni[8 * k]);

	return _mm512_gf2p8affine_epi64_epi8(
		_mm512_permutex2var_epi8(a, idx, b), mat, 0);
}

VNH_GFNI_TARGET void vnh_toeplitz_gfni_x2(const struct vnh_toeplitz_table *table,
					  const void *a, const void *b,
					  size_t len, uint32_t out[2])
{
	__m512i va, vb, acc = _mm512_setzero_si512();
	__m256i y;
	__m128i x;
	unsigned int k, n;
	uint64_t q;

	if (len > VNH_HASH_INPUT_MAX)
		len = VNH_HASH_INPUT_MAX;
	va = _mm512_maskz_loadu_epi8((__mmask64)((1ull << len) - 1), a);
	vb = _mm512_maskz_loadu_epi8((__mmask64)((1ull << len) - 1), b);
	n = (unsigned int)(len + 3 + 7) / 8;
	for (k = 0; k < n; k++)
		acc = _mm512_xor_si512(acc, gfni_lanes2(table, va, vb, k));
	y = _mm256_xor_si256(_mm512_castsi512_si256(acc),
			     _mm512_extracti64x4_epi64(acc, 1));
	x = _mm_xor_si128(_mm256_castsi256_si128(y),
			  _mm256_extracti128_si256(y, 1));
	q = (uint64_t)_mm_cvtsi128_si64(x) ^ (uint64_t)_mm_extract_epi64(x, 1);
	out[0] = (uint32_t)q;
	out[1] = (uint32_t)(q >> 32);
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
