// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/steer_config.c: the map value built from a struct vnh_rss (every
 * field of shared/vnethash_maps.h's struct vnh_steer_cfg, the Toeplitz
 * table checked against the bit-by-bit hash), the checks a configuration
 * passes before it reaches the program, and the argument checks of the
 * calls that need a loaded program (tests/bpf runs those for real).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "internal.h"

static void test_build_fields(void **state)
{
	static const uint8_t key[13] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13 };
	uint16_t table[8] = { 5, 4, 3, 2, 1, 0, 7, 6 };
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_cfg *cfg;

	(void)state;
	assert_non_null(rss);
	assert_int_equal(vnh_rss_set_key(rss, key, sizeof(key)), 0);
	assert_int_equal(vnh_rss_set_hash_types(rss, VNH_HASH_TYPE_TCPV4 |
						VNH_HASH_TYPE_UDPV6), 0);
	assert_int_equal(vnh_rss_set_table(rss, table, 8), 0);
	assert_int_equal(vnh_rss_set_unclassified(rss, 9), 0);
	cfg = vnh_cfg_build(rss, VNH_CFG_F_L3 | VNH_CFG_F_NO_REPORT, 41, 16);
	assert_non_null(cfg);
	assert_int_equal(cfg->magic, VNH_CFG_MAGIC);
	assert_int_equal(cfg->flags, VNH_CFG_F_L3 | VNH_CFG_F_NO_REPORT);
	assert_int_equal(cfg->hash_types,
			 VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_UDPV6);
	assert_int_equal(cfg->table_mask, 7);
	assert_int_equal(cfg->unclassified, 9);
	assert_int_equal(cfg->key_len, sizeof(key));
	assert_int_equal(cfg->generation, 41);
	assert_int_equal(cfg->max_queues, 16);
	assert_int_equal(cfg->reserved, 0);
	assert_memory_equal(cfg->key, key, sizeof(key));
	for (size_t i = sizeof(key); i < VNH_KEY_SIZE_MAX; i++)
		assert_int_equal(cfg->key[i], 0);
	assert_memory_equal(cfg->table, table, sizeof(table));
	for (size_t i = 8; i < VNH_TABLE_LEN_MAX; i++)
		assert_int_equal(cfg->table[i], 0);
	free(cfg);
	vnh_rss_free(rss);
}

/*
 * The program hashes with cfg->toeplitz: entry[pos * 256 + byte] is what
 * @byte at input position @pos contributes. XORed over random inputs, the
 * entries must give the bit-by-bit Toeplitz hash under the key.
 */
static void test_build_toeplitz(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_cfg *cfg;
	uint8_t in[VNH_HASH_INPUT_MAX];
	int round;

	(void)state;
	assert_non_null(rss);
	cfg = vnh_cfg_build(rss, 0, 1, 0);
	assert_non_null(cfg);
	/* The default key is the well-known one. */
	assert_int_equal(cfg->key_len, 40);
	assert_memory_equal(cfg->key, test_ms_key, 40);
	rnd_seed(3);
	for (round = 0; round < 200; round++) {
		size_t n = 1 + rnd() % VNH_HASH_INPUT_MAX, pos;
		uint32_t h = 0;

		rnd_bytes(in, n);
		for (pos = 0; pos < n; pos++)
			h ^= cfg->toeplitz[pos * 256 + in[pos]];
		assert_int_equal(h, ref_hash(in, n));
	}
	free(cfg);
	vnh_rss_free(rss);
}

static void test_check(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	uint16_t table[4] = { 0, 1, 2, 7 };

	(void)state;
	assert_non_null(rss);
	assert_int_equal(vnh_cfg_check(NULL, 0), -EINVAL);
	/* The default: one entry, queue 0. */
	assert_int_equal(vnh_cfg_check(rss, 0), 0);
	assert_int_equal(vnh_cfg_check(rss, 1), 0);
	assert_int_equal(vnh_rss_set_table(rss, table, 4), 0);
	/* No limit, or every queue below it. */
	assert_int_equal(vnh_cfg_check(rss, 0), 0);
	assert_int_equal(vnh_cfg_check(rss, 8), 0);
	assert_int_equal(vnh_cfg_check(rss, 7), -ERANGE);
	assert_int_equal(vnh_cfg_check(rss, 1), -ERANGE);
	/* The unclassified queue counts as well. */
	assert_int_equal(vnh_rss_set_unclassified(rss, 8), 0);
	assert_int_equal(vnh_cfg_check(rss, 8), -ERANGE);
	assert_int_equal(vnh_cfg_check(rss, 9), 0);
	vnh_rss_free(rss);
}

/* The largest table the map holds. */
static void test_build_largest_table(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_cfg *cfg;
	size_t i;

	(void)state;
	assert_non_null(rss);
	assert_int_equal(vnh_rss_set_spread(rss, 3, VNH_TABLE_LEN_MAX), 0);
	assert_int_equal(vnh_cfg_check(rss, 3), 0);
	assert_int_equal(vnh_cfg_check(rss, 2), -ERANGE);
	cfg = vnh_cfg_build(rss, 0, 1, 3);
	assert_non_null(cfg);
	assert_int_equal(cfg->table_mask, VNH_TABLE_LEN_MAX - 1);
	for (i = 0; i < VNH_TABLE_LEN_MAX; i++)
		assert_int_equal(cfg->table[i], i % 3);
	free(cfg);
	vnh_rss_free(rss);
}

static void test_arguments(void **state)
{
	struct vnh_rss *rss = vnh_rss_new();
	struct vnh_steer_info info = { .sz = sizeof(info) };

	(void)state;
	assert_non_null(rss);
	assert_int_equal(vnh_steer_update(NULL, rss), -EINVAL);
	assert_int_equal(vnh_steer_get_config(NULL, rss, &info), -EINVAL);
	vnh_rss_free(rss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_fields),
		cmocka_unit_test(test_build_toeplitz),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_build_largest_table),
		cmocka_unit_test(test_arguments),
	};

	return cmocka_run_group_tests_name("steer_config", tests, NULL, NULL);
}
