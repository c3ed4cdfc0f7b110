// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Toeplitz: the published Microsoft RSS verification vectors ("Verifying
 * the RSS Hash Calculation", well-known key) through vnh_toeplitz(),
 * vnh_toeplitz_table_hash(), vnh_hash_frame() and vnh_hash_l3(); table vs
 * bit-by-bit on random keys of every length 1..40; every implementation
 * of the table hash (scalar, GFNI) against the bit-by-bit one on random
 * keys, lengths and inputs.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "toeplitz_impl.h"
#include "util.h"

struct vec {
	const char *dst;
	uint16_t dport;
	const char *src;
	uint16_t sport;
	uint32_t h2, h4;	/* IP only, with TCP */
};

static const struct vec v4_vectors[] = {
	{ "161.142.100.80", 1766, "66.9.149.187", 2794, 0x323e8fc2, 0x51ccc178 },
	{ "65.69.140.83", 4739, "199.92.111.2", 14230, 0xd718262a, 0xc626b0ea },
	{ "12.22.207.184", 38024, "24.19.198.95", 12898, 0xd2d0a5de, 0x5c2b394a },
	{ "209.142.163.6", 2217, "38.27.205.30", 48228, 0x82989176, 0xafc7327f },
	{ "202.188.127.2", 1303, "153.39.163.191", 44251, 0x5d1809c5, 0x10e828a2 },
};

static const struct vec v6_vectors[] = {
	{ "3ffe:2501:200:3::1", 1766, "3ffe:2501:200:1fff::7", 2794,
	  0x2cc18cd5, 0x40207d3d },
	{ "ff02::1", 4739, "3ffe:501:8::260:97ff:fe40:efab", 14230,
	  0x0f0c461c, 0xdde51bbf },
	{ "fe80::200:f8ff:fe21:67cf", 38024,
	  "3ffe:1900:4545:3:200:f8ff:fe21:67cf", 44251,
	  0x4b61e985, 0x02d1feef },
};

#define NV4 (sizeof(v4_vectors) / sizeof(v4_vectors[0]))
#define NV6 (sizeof(v6_vectors) / sizeof(v6_vectors[0]))

/* Tuple of a vector: src, dst [, sport, dport]. */
static size_t vec_tuple(const struct vec *v, int af, int ports, uint8_t *t)
{
	uint8_t s[16], d[16];

	assert_int_equal(inet_pton(af, v->src, s), 1);
	assert_int_equal(inet_pton(af, v->dst, d), 1);
	if (af == AF_INET)
		return tuple4(t, s, d, ports, v->sport, v->dport);
	return tuple6(t, s, d, ports, v->sport, v->dport);
}

/* An independent bit loop (straight from the definition). */
static uint32_t my_toeplitz(const uint8_t *key, size_t klen,
			    const uint8_t *data, size_t len)
{
	uint32_t h = 0;
	size_t bit, j;

	for (bit = 0; bit < len * 8; bit++) {
		uint32_t w = 0;

		if (!(data[bit / 8] & (0x80 >> (bit % 8))))
			continue;
		for (j = 0; j < 32; j++) {
			size_t kb = bit + j;
			unsigned int v = kb / 8 < klen ?
				(key[kb / 8] >> (7 - kb % 8)) & 1 : 0;

			w = w << 1 | v;
		}
		h ^= w;
	}
	return h;
}

static void test_default_key(void **state)
{
	(void)state;
	assert_memory_equal(vnh_default_key, test_ms_key, 40);
}

static void check_vectors(const struct vec *vs, size_t n, int af)
{
	const struct vnh_toeplitz_table *t = ms_table();
	uint8_t tup[36];
	size_t i, len;

	for (i = 0; i < n; i++) {
		len = vec_tuple(&vs[i], af, 0, tup);
		assert_int_equal(len, af == AF_INET ? 8 : 32);
		assert_int_equal(vnh_toeplitz(test_ms_key, 40, tup, len),
				 vs[i].h2);
		assert_int_equal(vnh_toeplitz_table_hash(t, tup, len),
				 vs[i].h2);
		assert_int_equal(my_toeplitz(test_ms_key, 40, tup, len),
				 vs[i].h2);
		len = vec_tuple(&vs[i], af, 1, tup);
		assert_int_equal(vnh_toeplitz(test_ms_key, 40, tup, len),
				 vs[i].h4);
		assert_int_equal(vnh_toeplitz_table_hash(t, tup, len),
				 vs[i].h4);
		assert_int_equal(my_toeplitz(test_ms_key, 40, tup, len),
				 vs[i].h4);
	}
}

static void test_ms_vectors_v4(void **state)
{
	(void)state;
	check_vectors(v4_vectors, NV4, AF_INET);
}

static void test_ms_vectors_v6(void **state)
{
	(void)state;
	check_vectors(v6_vectors, NV6, AF_INET6);
}

static void check_result(struct vnh_result r, int report, uint32_t hash)
{
	assert_int_equal(r.report, report);
	assert_int_equal(r.hash, hash);
}

/* Build eth + IPv4/IPv6 + TCP/UDP for a vector; returns the L3 offset. */
static size_t vec_frame(struct fb *f, const struct vec *v, int af, int tcp)
{
	uint8_t s[16], d[16];
	uint8_t proto = tcp ? 6 : 17;

	assert_int_equal(inet_pton(af, v->src, s), 1);
	assert_int_equal(inet_pton(af, v->dst, d), 1);
	fb_init(f);
	fb_eth(f, af == AF_INET ? 0x0800 : 0x86dd);
	if (af == AF_INET)
		fb_ipv4(f, 5, proto, 0x4000, s, d);	/* DF set */
	else
		fb_ipv6(f, proto, s, d);
	if (tcp)
		fb_tcp(f, v->sport, v->dport);
	else
		fb_udp(f, v->sport, v->dport);
	fb_fill(f, 0x5a, 10);	/* payload */
	return 14;
}

static void test_ms_vectors_frames_v4(void **state)
{
	const struct vnh_toeplitz_table *t = ms_table();
	struct fb f;
	size_t i, l3;

	(void)state;
	for (i = 0; i < NV4; i++) {
		const struct vec *v = &v4_vectors[i];
		uint32_t t4 = VNH_HASH_TYPE_TCPV4, u4 = VNH_HASH_TYPE_UDPV4,
			 ip = VNH_HASH_TYPE_IPV4;

		l3 = vec_frame(&f, v, AF_INET, 1);
		check_result(hash_exact(t, t4, -1, f.d, f.n), 2, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_ALL, -1, f.d, f.n),
			     2, v->h4);
		check_result(hash_exact(t, ip, -1, f.d, f.n), 1, v->h2);
		check_result(hash_exact(t, ip | u4, -1, f.d, f.n), 1, v->h2);
		check_result(hash_exact(t, t4, 0x0800, f.d + l3, f.n - l3),
			     2, v->h4);
		check_result(hash_exact(t, ip, 0x0800, f.d + l3, f.n - l3),
			     1, v->h2);

		l3 = vec_frame(&f, v, AF_INET, 0);
		check_result(hash_exact(t, u4, -1, f.d, f.n), 3, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_ALL, -1, f.d, f.n),
			     3, v->h4);
		check_result(hash_exact(t, ip | t4, -1, f.d, f.n), 1, v->h2);
		check_result(hash_exact(t, u4, 0x0800, f.d + l3, f.n - l3),
			     3, v->h4);
		check_result(hash_exact(t, ip, 0x0800, f.d + l3, f.n - l3),
			     1, v->h2);
	}
}

static void test_ms_vectors_frames_v6(void **state)
{
	const struct vnh_toeplitz_table *t = ms_table();
	struct fb f;
	size_t i, l3;

	(void)state;
	for (i = 0; i < NV6; i++) {
		const struct vec *v = &v6_vectors[i];

		l3 = vec_frame(&f, v, AF_INET6, 1);
		check_result(hash_exact(t, VNH_HASH_TYPE_TCPV6, -1, f.d, f.n),
			     VNH_REPORT_TCPV6, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_TCP_EX, -1, f.d, f.n),
			     VNH_REPORT_TCPV6_EX, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_ALL, -1, f.d, f.n),
			     VNH_REPORT_TCPV6_EX, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_IPV6, -1, f.d, f.n),
			     VNH_REPORT_IPV6, v->h2);
		check_result(hash_exact(t, VNH_HASH_TYPE_IP_EX, -1, f.d, f.n),
			     VNH_REPORT_IPV6_EX, v->h2);
		check_result(hash_exact(t, VNH_HASH_TYPE_TCPV6, 0x86dd,
					f.d + l3, f.n - l3),
			     VNH_REPORT_TCPV6, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_IPV6, 0x86dd,
					f.d + l3, f.n - l3),
			     VNH_REPORT_IPV6, v->h2);

		l3 = vec_frame(&f, v, AF_INET6, 0);
		check_result(hash_exact(t, VNH_HASH_TYPE_UDPV6, -1, f.d, f.n),
			     VNH_REPORT_UDPV6, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_UDP_EX |
					VNH_HASH_TYPE_UDPV6, -1, f.d, f.n),
			     VNH_REPORT_UDPV6_EX, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_IPV6 |
					VNH_HASH_TYPE_TCPV6, -1, f.d, f.n),
			     VNH_REPORT_IPV6, v->h2);
		check_result(hash_exact(t, VNH_HASH_TYPE_UDP_EX, 0x86dd,
					f.d + l3, f.n - l3),
			     VNH_REPORT_UDPV6_EX, v->h4);
		check_result(hash_exact(t, VNH_HASH_TYPE_IP_EX, 0x86dd,
					f.d + l3, f.n - l3),
			     VNH_REPORT_IPV6_EX, v->h2);
	}
}

/* Table vs bit-by-bit on random keys of each length and random inputs. */
static void test_table_vs_bitwise(void **state)
{
	struct vnh_toeplitz_table *t = malloc(sizeof(*t));
	uint8_t key[40], padded[40], data[VNH_HASH_INPUT_MAX];
	size_t klen, k, len;

	(void)state;
	assert_non_null(t);
	rnd_seed(1);
	for (klen = 1; klen <= 40; klen++) {
		for (k = 0; k < 12; k++) {
			/* A key of exactly klen bytes on the heap (ASan). */
			uint8_t *hk = malloc(klen);

			assert_non_null(hk);
			rnd_bytes(key, klen);
			if (k == 0)
				memset(key, 0xff, klen);
			memcpy(hk, key, klen);
			memset(padded, 0, sizeof(padded));
			memcpy(padded, key, klen);
			assert_int_equal(vnh_toeplitz_table_init(t, hk, klen),
					 0);
			for (len = 0; len <= VNH_HASH_INPUT_MAX; len++) {
				uint32_t want;

				rnd_bytes(data, len);
				if (k == 1)
					memset(data, 0xff, len);
				want = my_toeplitz(key, klen, data, len);
				assert_int_equal(vnh_toeplitz(hk, klen, data,
							      len), want);
				/* Missing key bits are zero. */
				assert_int_equal(vnh_toeplitz(padded, 40, data,
							      len), want);
				assert_int_equal(vnh_toeplitz_table_hash(t,
						data, len), want);
			}
			free(hk);
		}
	}
	free(t);
}

/*
 * One implementation against the bit-by-bit hash: random keys of random
 * lengths, every input length 0..36 (and beyond, which is cut to 36),
 * random bytes in a buffer of exactly that size (so ASan sees any
 * over-read).
 */
static void check_impl(vnh_toeplitz_fn *fn, unsigned int seed)
{
	struct vnh_toeplitz_table *t = malloc(sizeof(*t));
	uint8_t key[40];
	size_t klen, len, round;

	assert_non_null(t);
	rnd_seed(seed);
	for (round = 0; round < 3000; round++) {
		rnd_bytes(key, 1);
		klen = 1 + key[0] % 40;
		rnd_bytes(key, klen);
		if (round == 0)
			memset(key, 0xff, klen);
		assert_int_equal(vnh_toeplitz_table_init(t, key, klen), 0);
		for (len = 0; len <= VNH_HASH_INPUT_MAX + 2; len++) {
			uint8_t *data = malloc(len ? len : 1);
			size_t n = len < VNH_HASH_INPUT_MAX ? len :
							      VNH_HASH_INPUT_MAX;

			assert_non_null(data);
			rnd_bytes(data, len);
			if (round == 1)
				memset(data, 0xff, len);
			assert_int_equal(fn(t, data, len),
					 vnh_toeplitz(key, klen, data, n));
			free(data);
		}
	}
	free(t);
}

static void test_impl_scalar(void **state)
{
	(void)state;
	check_impl(vnh_toeplitz_scalar, 7);
}

static void test_impl_gfni(void **state)
{
	(void)state;
	if (!vnh_toeplitz_gfni_usable())
		skip();	/* reported as skipped, not passed */
	check_impl(vnh_toeplitz_gfni, 8);
}

/* Two inputs in one GFNI pass, and the dispatcher for pairs. */
static void test_impl_gfni_x2(void **state)
{
	struct vnh_toeplitz_table *t = malloc(sizeof(*t));
	uint8_t key[40];
	size_t klen, len, round;

	(void)state;
	if (!vnh_toeplitz_gfni_usable()) {
		free(t);
		skip();
	}
	assert_non_null(t);
	rnd_seed(10);
	for (round = 0; round < 2000; round++) {
		rnd_bytes(key, 1);
		klen = 1 + key[0] % 40;
		rnd_bytes(key, klen);
		assert_int_equal(vnh_toeplitz_table_init(t, key, klen), 0);
		for (len = 0; len <= VNH_HASH_INPUT_MAX; len++) {
			uint8_t *a = malloc(len ? len : 1), *b = malloc(len ? len : 1);
			uint32_t h[2], h2[2];

			assert_non_null(a);
			assert_non_null(b);
			rnd_bytes(a, len);
			rnd_bytes(b, len);
			vnh_toeplitz_gfni_x2(t, a, b, len, h);
			vnh_toeplitz_table_hash2(t, a, b, len, h2);
			assert_int_equal(h[0], vnh_toeplitz(key, klen, a, len));
			assert_int_equal(h[1], vnh_toeplitz(key, klen, b, len));
			assert_int_equal(h2[0], h[0]);
			assert_int_equal(h2[1], h[1]);
			free(a);
			free(b);
		}
	}
	free(t);
}

/* The dispatcher: GFNI exactly when the CPU has it, and the same hashes. */
static void test_impl_dispatch(void **state)
{
	(void)state;
	assert_string_equal(vnh_toeplitz_impl(),
			    vnh_toeplitz_gfni_usable() ? "gfni" : "scalar");
	check_impl(vnh_toeplitz_table_hash, 9);
}

/* Each input bit alone gives the key window at its position. */
static void test_single_bits(void **state)
{
	const struct vnh_toeplitz_table *t = ms_table();
	uint8_t data[VNH_HASH_INPUT_MAX];
	size_t bit, j;

	(void)state;
	for (bit = 0; bit < VNH_HASH_INPUT_MAX * 8; bit++) {
		uint32_t w = 0;

		for (j = 0; j < 32; j++) {
			size_t kb = bit + j;

			w = w << 1 | ((test_ms_key[kb / 8] >> (7 - kb % 8)) & 1);
		}
		memset(data, 0, sizeof(data));
		data[bit / 8] = (uint8_t)(0x80 >> (bit % 8));
		assert_int_equal(vnh_toeplitz(test_ms_key, 40, data,
					      sizeof(data)), w);
		assert_int_equal(vnh_toeplitz_table_hash(t, data,
							 sizeof(data)), w);
	}
}

static void test_table_limits(void **state)
{
	struct vnh_toeplitz_table *t = malloc(sizeof(*t));
	uint8_t key[41] = { 1 };
	uint8_t data[48];

	(void)state;
	assert_non_null(t);
	assert_int_equal(vnh_toeplitz_table_init(t, key, 0), -EINVAL);
	assert_int_equal(vnh_toeplitz_table_init(t, key, 41), -EINVAL);
	assert_int_equal(vnh_toeplitz_table_init(t, NULL, 4), -EINVAL);
	assert_int_equal(vnh_toeplitz_table_init(NULL, key, 4), -EINVAL);
	/* Input beyond 36 bytes is not hashed. */
	rnd_bytes(data, sizeof(data));
	assert_int_equal(vnh_toeplitz_table_hash(ms_table(), data, 48),
			 vnh_toeplitz(test_ms_key, 40, data, 36));
	assert_int_equal(vnh_toeplitz_table_hash(ms_table(), data, 0), 0);
	assert_int_equal(vnh_toeplitz(test_ms_key, 40, data, 0), 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_key),
		cmocka_unit_test(test_ms_vectors_v4),
		cmocka_unit_test(test_ms_vectors_v6),
		cmocka_unit_test(test_ms_vectors_frames_v4),
		cmocka_unit_test(test_ms_vectors_frames_v6),
		cmocka_unit_test(test_table_vs_bitwise),
		cmocka_unit_test(test_single_bits),
		cmocka_unit_test(test_table_limits),
		cmocka_unit_test(test_impl_scalar),
		cmocka_unit_test(test_impl_gfni),
		cmocka_unit_test(test_impl_gfni_x2),
		cmocka_unit_test(test_impl_dispatch),
	};

	return cmocka_run_group_tests_name("toeplitz", tests, NULL, NULL);
}
