// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * struct vnh_rss: defaults, setters (each bad value refused with -EINVAL
 * and the object unchanged), spread tables, queue selection.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static struct vnh_rss *new_rss(void)
{
	struct vnh_rss *rss = vnh_rss_new();

	assert_non_null(rss);
	return rss;
}

/* A configuration unlike the defaults. */
static struct vnh_rss *configured_rss(void)
{
	static const uint8_t key[24] = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66,
					 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
					 0xdd, 0xee, 0xff, 0x01, 0x02, 0x03,
					 0x04, 0x05, 0x06, 0x07, 0x08, 0x09 };
	struct vnh_rss *rss = new_rss();
	uint16_t table[64];
	size_t i;

	for (i = 0; i < 64; i++)
		table[i] = (uint16_t)((i * 5 + 1) % 11);
	assert_int_equal(vnh_rss_set_key(rss, key, sizeof(key)), 0);
	assert_int_equal(vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_ALL &
						~VNH_HASH_TYPE_UDPV4), 0);
	assert_int_equal(vnh_rss_set_table(rss, table, 64), 0);
	assert_int_equal(vnh_rss_set_unclassified(rss, 12), 0);
	return rss;
}

static void test_defaults(void **state)
{
	struct vnh_rss *rss = new_rss();
	const uint16_t *table;
	const uint8_t *key;
	uint8_t data[36];
	size_t len, i;

	(void)state;
	key = vnh_rss_key(rss, &len);
	assert_int_equal(len, 40);
	assert_memory_equal(key, test_ms_key, 40);
	assert_int_equal(vnh_rss_hash_types(rss), VNH_HASH_TYPE_ALL);
	table = vnh_rss_table(rss, &len);
	assert_int_equal(len, 1);
	assert_int_equal(table[0], 0);
	assert_int_equal(vnh_rss_unclassified(rss), 0);
	assert_int_equal(vnh_rss_max_queue(rss), 0);
	rnd_seed(7);
	for (i = 0; i < 20; i++) {
		rnd_bytes(data, sizeof(data));
		assert_int_equal(vnh_toeplitz_table_hash(vnh_rss_toeplitz(rss),
							 data, 36),
				 vnh_toeplitz(test_ms_key, 40, data, 36));
	}
	/* NULL is accepted by free. */
	vnh_rss_free(NULL);
	vnh_rss_free(rss);
}

static void test_select_queue_masks(void **state)
{
	static const size_t lens[] = { 1, 2, 4, 8, 16, 128, 1024, 32768 };
	static const uint32_t edge[] = { 0, 1, 2, 0x7f, 0x80, 0xff, 0x7fff,
					 0x8000, 0xffff, 0x10000, 0x12345678,
					 0x80000000, 0xfffffffe, 0xffffffff };
	uint16_t *table = malloc(VNH_TABLE_LEN_MAX * sizeof(*table));
	struct vnh_rss *rss = new_rss();
	size_t l, i, n;
	uint16_t r;

	(void)state;
	assert_non_null(table);
	rnd_seed(3);
	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		n = lens[l];
		for (i = 0; i < n; i++)
			table[i] = (uint16_t)(rnd() & VNH_QUEUE_MAX);
		assert_int_equal(vnh_rss_set_table(rss, table, n), 0);
		assert_int_equal(vnh_rss_set_unclassified(rss,
				(uint16_t)(0x7000 + l)), 0);
		for (i = 0; i < 300; i++) {
			uint32_t h = i < sizeof(edge) / sizeof(edge[0]) ?
				     edge[i] : (uint32_t)rnd();

			for (r = 1; r <= VNH_REPORT_MAX; r++)
				assert_int_equal(vnh_rss_select_queue(rss, h, r),
						 table[h & (n - 1)]);
			assert_int_equal(vnh_rss_select_queue(rss, h,
							      VNH_REPORT_NONE),
					 0x7000 + l);
		}
	}
	free(table);
	vnh_rss_free(rss);
}

static void test_rss_hash(void **state)
{
	static const uint8_t key[13] = { 9, 8, 7, 6, 5, 4, 3, 2, 1, 0xf0,
					 0xe0, 0xd0, 0xc0 };
	struct vnh_rss *rss = new_rss();
	struct vnh_result res;
	uint8_t frame[64], tup[12], arp[60] = { 0 };
	size_t n, tl;
	uint32_t h;

	(void)state;
	assert_int_equal(vnh_rss_set_key(rss, key, sizeof(key)), 0);
	assert_int_equal(vnh_rss_set_spread(rss, 5, 16), 0);
	assert_int_equal(vnh_rss_set_unclassified(rss, 9), 0);
	n = sample_v4_tcp(frame);
	tl = tuple4(tup, V4_S, V4_D, 1, SPORT, DPORT);
	h = vnh_toeplitz(key, sizeof(key), tup, tl);
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(vnh_rss_hash_frame(rss, frame, n, &res), 0);
	assert_int_equal(res.report, VNH_REPORT_TCPV4);
	assert_int_equal(res.hash, h);
	assert_int_equal(res.queue, (h & 15) % 5);
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(vnh_rss_hash_l3(rss, 0x0800, frame + 14, n - 14,
					 &res), 0);
	assert_int_equal(res.report, VNH_REPORT_TCPV4);
	assert_int_equal(res.hash, h);
	assert_int_equal(res.queue, (h & 15) % 5);
	/* Only the IP rule enabled. */
	assert_int_equal(vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_IPV4), 0);
	h = vnh_toeplitz(key, sizeof(key), tup, 8);
	assert_int_equal(vnh_rss_hash_frame(rss, frame, n, &res), 0);
	assert_int_equal(res.report, VNH_REPORT_IPV4);
	assert_int_equal(res.hash, h);
	assert_int_equal(res.queue, (h & 15) % 5);
	/* NONE: hash 0, the unclassified queue. */
	arp[12] = 0x08;
	arp[13] = 0x06;
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(vnh_rss_hash_frame(rss, arp, sizeof(arp), &res), 0);
	assert_int_equal(res.report, VNH_REPORT_NONE);
	assert_int_equal(res.hash, 0);
	assert_int_equal(res.queue, 9);
	assert_int_equal(vnh_rss_set_hash_types(rss, 0), 0);
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(vnh_rss_hash_frame(rss, frame, n, &res), 0);
	assert_int_equal(res.report, VNH_REPORT_NONE);
	assert_int_equal(res.hash, 0);
	assert_int_equal(res.queue, 9);
	memset(&res, 0xff, sizeof(res));
	assert_int_equal(vnh_rss_hash_l3(rss, 0x0800, frame + 14, n - 14,
					 &res), 0);
	assert_int_equal(res.report, VNH_REPORT_NONE);
	assert_int_equal(res.hash, 0);
	assert_int_equal(res.queue, 9);
	assert_int_equal(vnh_rss_hash_frame(NULL, frame, n, &res), -EINVAL);
	assert_int_equal(vnh_rss_hash_l3(NULL, 0x0800, frame, n, &res),
			 -EINVAL);
	assert_int_equal(vnh_rss_hash_frame(rss, frame, n, NULL), -EINVAL);
	vnh_rss_free(rss);
}

static void test_set_key(void **state)
{
	struct vnh_rss *rss = new_rss();
	uint8_t key[40], data[36];
	const uint8_t *got;
	size_t len, i;

	(void)state;
	rnd_seed(11);
	for (len = 1; len <= 40; len++) {
		uint8_t *hk = malloc(len);	/* exactly len bytes: ASan */

		assert_non_null(hk);
		rnd_bytes(key, len);
		memcpy(hk, key, len);
		assert_int_equal(vnh_rss_set_key(rss, hk, len), 0);
		free(hk);
		got = vnh_rss_key(rss, &i);
		assert_int_equal(i, len);
		assert_memory_equal(got, key, len);
		rnd_bytes(data, sizeof(data));
		assert_int_equal(vnh_toeplitz_table_hash(vnh_rss_toeplitz(rss),
							 data, 36),
				 vnh_toeplitz(key, len, data, 36));
	}
	/* Shorter key after a longer one: old bytes do not leak in. */
	memset(key, 0xff, sizeof(key));
	assert_int_equal(vnh_rss_set_key(rss, key, 40), 0);
	key[0] = 0x80;
	assert_int_equal(vnh_rss_set_key(rss, key, 1), 0);
	memset(data, 0, sizeof(data));
	data[0] = 0x80;		/* first input bit: window = key bits 0..31 */
	assert_int_equal(vnh_toeplitz_table_hash(vnh_rss_toeplitz(rss), data,
						 36), 0x80000000u);
	/* Shortening the current key in place, from the object's own copy. */
	memcpy(key, (const uint8_t[]){ 0x12, 0x34, 0x56, 0x78, 0x9a }, 5);
	assert_int_equal(vnh_rss_set_key(rss, key, 5), 0);
	assert_int_equal(vnh_rss_set_key(rss, vnh_rss_key(rss, NULL), 3), 0);
	got = vnh_rss_key(rss, &i);
	assert_int_equal(i, 3);
	assert_memory_equal(got, key, 3);
	vnh_rss_free(rss);
}

static void test_setters_refuse(void **state)
{
	static const size_t bad_lens[] = { 0, 3, 5, 6, 7, 100, 127, 129,
					   32767, 32769, 49152, 65535, 65536,
					   (size_t)1 << 20 };
	uint16_t *table = calloc(VNH_TABLE_LEN_MAX * 2 + 1, sizeof(*table));
	struct vnh_rss *rss = configured_rss();
	struct rss_snap *before = snap_take(rss);
	uint8_t key[48] = { 1, 2, 3 };
	size_t i;

	(void)state;
	assert_non_null(table);
	assert_int_equal(vnh_rss_set_key(rss, key, 0), -EINVAL);
	assert_int_equal(vnh_rss_set_key(rss, key, 41), -EINVAL);
	assert_int_equal(vnh_rss_set_key(rss, key, 48), -EINVAL);
	assert_int_equal(vnh_rss_set_key(rss, NULL, 4), -EINVAL);
	assert_int_equal(vnh_rss_set_key(NULL, key, 4), -EINVAL);
	EXPECT_UNCHANGED(rss, before);

	assert_int_equal(vnh_rss_set_hash_types(rss, 0x200), -EINVAL);
	assert_int_equal(vnh_rss_set_hash_types(rss, 0x3ff), -EINVAL);
	assert_int_equal(vnh_rss_set_hash_types(rss, 0x80000001u), -EINVAL);
	assert_int_equal(vnh_rss_set_hash_types(rss, 0xffffffffu), -EINVAL);
	assert_int_equal(vnh_rss_set_hash_types(NULL, 1), -EINVAL);
	EXPECT_UNCHANGED(rss, before);

	for (i = 0; i < sizeof(bad_lens) / sizeof(bad_lens[0]); i++) {
		assert_int_equal(vnh_rss_set_table(rss, table, bad_lens[i]),
				 -EINVAL);
		assert_int_equal(vnh_rss_set_spread(rss, 2, bad_lens[i]),
				 -EINVAL);
	}
	assert_int_equal(vnh_rss_set_table(rss, NULL, 8), -EINVAL);
	assert_int_equal(vnh_rss_set_table(NULL, table, 8), -EINVAL);
	/* One entry above VNH_QUEUE_MAX, first, middle or last. */
	for (i = 0; i < 3; i++) {
		size_t pos = i == 0 ? 0 : i == 1 ? 17 : 31;

		memset(table, 0, 32 * sizeof(*table));
		table[pos] = VNH_QUEUE_MAX + 1;
		assert_int_equal(vnh_rss_set_table(rss, table, 32), -EINVAL);
		table[pos] = 0xffff;
		assert_int_equal(vnh_rss_set_table(rss, table, 32), -EINVAL);
	}
	memset(table, 0, 32 * sizeof(*table));
	table[VNH_TABLE_LEN_MAX - 1] = 0x8000;
	assert_int_equal(vnh_rss_set_table(rss, table, VNH_TABLE_LEN_MAX),
			 -EINVAL);
	EXPECT_UNCHANGED(rss, before);

	assert_int_equal(vnh_rss_set_spread(rss, 0, 8), -EINVAL);
	assert_int_equal(vnh_rss_set_spread(rss, VNH_QUEUE_MAX + 2, 8),
			 -EINVAL);
	assert_int_equal(vnh_rss_set_spread(rss, 0xffffffffu, 8), -EINVAL);
	assert_int_equal(vnh_rss_set_spread(NULL, 2, 8), -EINVAL);
	EXPECT_UNCHANGED(rss, before);

	assert_int_equal(vnh_rss_set_unclassified(rss, VNH_QUEUE_MAX + 1),
			 -EINVAL);
	assert_int_equal(vnh_rss_set_unclassified(rss, 0xffff), -EINVAL);
	assert_int_equal(vnh_rss_set_unclassified(NULL, 1), -EINVAL);
	EXPECT_UNCHANGED(rss, before);

	free(before);
	free(table);
	vnh_rss_free(rss);
}

static void test_setters_accept_limits(void **state)
{
	uint16_t *table = malloc(VNH_TABLE_LEN_MAX * sizeof(*table));
	struct vnh_rss *rss = new_rss();
	const uint16_t *got;
	size_t i, len;

	(void)state;
	assert_non_null(table);
	for (i = 0; i < VNH_TABLE_LEN_MAX; i++)
		table[i] = (uint16_t)(VNH_QUEUE_MAX - i);
	assert_int_equal(vnh_rss_set_table(rss, table, VNH_TABLE_LEN_MAX), 0);
	got = vnh_rss_table(rss, &len);
	assert_int_equal(len, VNH_TABLE_LEN_MAX);
	assert_memory_equal(got, table, VNH_TABLE_LEN_MAX * sizeof(*table));
	assert_int_equal(vnh_rss_max_queue(rss), VNH_QUEUE_MAX);
	assert_int_equal(vnh_rss_set_unclassified(rss, VNH_QUEUE_MAX), 0);
	assert_int_equal(vnh_rss_unclassified(rss), VNH_QUEUE_MAX);
	assert_int_equal(vnh_rss_set_hash_types(rss, 0), 0);
	assert_int_equal(vnh_rss_hash_types(rss), 0);
	for (i = 0; i < 9; i++) {
		assert_int_equal(vnh_rss_set_hash_types(rss, 1u << i), 0);
		assert_int_equal(vnh_rss_hash_types(rss), 1u << i);
	}
	assert_int_equal(vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_ALL), 0);
	assert_int_equal(vnh_rss_hash_types(rss), VNH_HASH_TYPE_ALL);
	for (len = 1; len <= VNH_TABLE_LEN_MAX; len <<= 1)
		assert_int_equal(vnh_rss_set_table(rss, table, len), 0);
	free(table);
	vnh_rss_free(rss);
}

static void check_spread(struct vnh_rss *rss, unsigned int queues, size_t n)
{
	const uint16_t *t;
	size_t len, i;

	assert_int_equal(vnh_rss_set_spread(rss, queues, n), 0);
	t = vnh_rss_table(rss, &len);
	assert_int_equal(len, n);
	for (i = 0; i < n; i++)
		assert_int_equal(t[i], i % queues);
}

static void test_spread(void **state)
{
	struct vnh_rss *rss = new_rss();
	const uint16_t *t;
	size_t len;

	(void)state;
	check_spread(rss, 4, 16);
	check_spread(rss, 3, 8);
	t = vnh_rss_table(rss, &len);
	assert_int_equal(t[6], 0);
	assert_int_equal(t[7], 1);
	check_spread(rss, 1, 1);
	check_spread(rss, 16, 4);
	check_spread(rss, 7, 128);
	check_spread(rss, 7, VNH_TABLE_LEN_MAX);
	check_spread(rss, VNH_QUEUE_MAX + 1, VNH_TABLE_LEN_MAX);
	assert_int_equal(vnh_rss_max_queue(rss), VNH_QUEUE_MAX);
	check_spread(rss, 2, 2);
	/* Shrinking the table: old entries beyond the length do not count. */
	assert_int_equal(vnh_rss_max_queue(rss), 1);
	assert_int_equal(vnh_rss_select_queue(rss, 0xffffffffu, 1), 1);
	assert_int_equal(vnh_rss_select_queue(rss, 0xfffffffeu, 1), 0);
	vnh_rss_free(rss);
}

static void test_copy_and_max_queue(void **state)
{
	struct vnh_rss *a = configured_rss(), *b = new_rss();
	struct rss_snap *sa, *sb;

	(void)state;
	assert_int_equal(vnh_rss_max_queue(a), 12);	/* unclassified */
	assert_int_equal(vnh_rss_set_unclassified(a, 0), 0);
	assert_int_equal(vnh_rss_max_queue(a), 10);	/* table: % 11 */
	vnh_rss_copy(b, a);
	sa = snap_take(a);
	sb = snap_take(b);
	SNAP_EQUAL(sa, sb);
	free(sb);
	vnh_rss_copy(a, a);
	vnh_rss_copy(NULL, a);
	vnh_rss_copy(a, NULL);
	EXPECT_UNCHANGED(a, sa);
	free(sa);
	vnh_rss_free(a);
	vnh_rss_free(b);
}

/*
 * vnh_rss_equal(): a copy is equal; each field changed alone (key bytes,
 * key length, hash types, one table entry, table length, unclassified
 * queue) makes it unequal, and changing it back makes it equal again.
 */
static void test_equal(void **state)
{
	struct vnh_rss *a = configured_rss(), *b = new_rss();
	uint8_t key[VNH_KEY_SIZE_MAX];
	uint16_t table[8], big[64];
	const uint16_t *t;
	const uint8_t *k;
	size_t klen, tlen;

	(void)state;
	assert_false(vnh_rss_equal(a, b));
	vnh_rss_copy(b, a);
	assert_true(vnh_rss_equal(a, b));
	assert_true(vnh_rss_equal(a, a));
	assert_true(vnh_rss_equal(NULL, NULL));
	assert_false(vnh_rss_equal(a, NULL));
	assert_false(vnh_rss_equal(NULL, a));

	k = vnh_rss_key(a, &klen);
	memcpy(key, k, klen);
	key[klen - 1] ^= 1;
	assert_int_equal(vnh_rss_set_key(b, key, klen), 0);
	assert_false(vnh_rss_equal(a, b));
	key[klen - 1] ^= 1;
	assert_int_equal(vnh_rss_set_key(b, key, klen - 1), 0);
	assert_false(vnh_rss_equal(a, b));
	assert_int_equal(vnh_rss_set_key(b, key, klen), 0);
	assert_true(vnh_rss_equal(a, b));

	assert_int_equal(vnh_rss_set_hash_types(b, vnh_rss_hash_types(a) ^
						VNH_HASH_TYPE_UDPV6), 0);
	assert_false(vnh_rss_equal(a, b));
	assert_int_equal(vnh_rss_set_hash_types(b, vnh_rss_hash_types(a)), 0);
	assert_true(vnh_rss_equal(a, b));

	t = vnh_rss_table(a, &tlen);
	assert_int_equal(tlen, 64);
	memcpy(table, t, sizeof(table));
	assert_int_equal(vnh_rss_set_table(b, table, 8), 0);	/* length */
	assert_false(vnh_rss_equal(a, b));
	memcpy(big, t, sizeof(big));
	big[63] = (uint16_t)(big[63] + 1);			/* last entry */
	assert_int_equal(vnh_rss_set_table(b, big, 64), 0);
	assert_false(vnh_rss_equal(a, b));
	big[63] = t[63];
	assert_int_equal(vnh_rss_set_table(b, big, 64), 0);
	assert_true(vnh_rss_equal(a, b));

	assert_int_equal(vnh_rss_set_unclassified(b,
		(uint16_t)(vnh_rss_unclassified(a) + 1)), 0);
	assert_false(vnh_rss_equal(a, b));
	assert_int_equal(vnh_rss_set_unclassified(b, vnh_rss_unclassified(a)),
			 0);
	assert_true(vnh_rss_equal(a, b));
	vnh_rss_free(a);
	vnh_rss_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_select_queue_masks),
		cmocka_unit_test(test_rss_hash),
		cmocka_unit_test(test_set_key),
		cmocka_unit_test(test_setters_refuse),
		cmocka_unit_test(test_setters_accept_limits),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_copy_and_max_queue),
		cmocka_unit_test(test_equal),
	};

	return cmocka_run_group_tests_name("rss", tests, NULL, NULL);
}
