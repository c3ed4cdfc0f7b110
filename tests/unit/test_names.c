// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnh_fill_hdr_hash() byte layout, report / hash type names and
 * vnh_parse_hash_types().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* docs/semantics.md: report i is named names[i]; hash type bit i names[i+1] */
static const char *const names[10] = {
	"none", "ipv4", "tcpv4", "udpv4", "ipv6", "tcpv6", "udpv6",
	"ipv6_ex", "tcpv6_ex", "udpv6_ex",
};

static void fill_and_check(uint32_t hash, uint16_t report,
			   const uint8_t want[8])
{
	struct vnh_result res = { hash, report, 0x1234 };
	uint8_t *raw = malloc(20);	/* exactly the header: ASan */
	size_t i;

	assert_non_null(raw);
	memset(raw, 0xaa, 20);
	vnh_fill_hdr_hash((struct virtio_net_hdr_v1_hash *)(void *)raw, &res);
	for (i = 0; i < 12; i++)
		assert_int_equal(raw[i], 0xaa);
	for (i = 0; i < 8; i++)
		assert_int_equal(raw[12 + i], want[i]);
	free(raw);
}

static void test_fill_hdr_hash(void **state)
{
	static const uint8_t w1[8] = { 0x78, 0x56, 0x34, 0x12, 8, 0, 0, 0 };
	static const uint8_t w2[8] = { 0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t w3[8] = { 0xff, 0xff, 0xff, 0xff, 9, 0, 0, 0 };
	static const uint8_t w4[8] = { 0x01, 0, 0, 0, 1, 0, 0, 0 };
	static const uint8_t w5[8] = { 0, 0, 0, 0x80, 4, 0, 0, 0 };

	(void)state;
	assert_int_equal(sizeof(struct virtio_net_hdr_v1_hash), 20);
	assert_int_equal(offsetof(struct virtio_net_hdr_v1_hash, hash_value),
			 12);
	assert_int_equal(offsetof(struct virtio_net_hdr_v1_hash, hash_report),
			 16);
	fill_and_check(0x12345678, VNH_REPORT_TCPV6_EX, w1);
	/* NONE: value 0 whatever the hash says. */
	fill_and_check(0xdeadbeef, VNH_REPORT_NONE, w2);
	fill_and_check(0, VNH_REPORT_NONE, w2);
	fill_and_check(0xffffffff, VNH_REPORT_UDPV6_EX, w3);
	fill_and_check(1, VNH_REPORT_IPV4, w4);
	fill_and_check(0x80000000, VNH_REPORT_IPV6, w5);
}

static void test_report_names(void **state)
{
	unsigned int r;

	(void)state;
	for (r = 0; r < 10; r++) {
		assert_non_null(vnh_report_name(r));
		assert_string_equal(vnh_report_name(r), names[r]);
	}
	assert_null(vnh_report_name(10));
	assert_null(vnh_report_name(255));
	assert_null(vnh_report_name(0xffffffffu));
}

static void test_hash_type_names(void **state)
{
	static const uint32_t bad[] = { 0, 3, 5, 0x180, 0x1ff, 0x200, 0x400,
					0x10000, 0x80000000u, 0xffffffffu };
	unsigned int i;

	(void)state;
	for (i = 0; i < 9; i++) {
		assert_non_null(vnh_hash_type_name(1u << i));
		assert_string_equal(vnh_hash_type_name(1u << i), names[i + 1]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_null(vnh_hash_type_name(bad[i]));
}

static void expect_parse(const char *list, uint32_t want)
{
	const char *bad = (const char *)0x1;
	uint32_t types = 0xdeadbeef;

	if (vnh_parse_hash_types(list, &types, &bad) != 0 || types != want) {
		print_error("parse \"%s\": types 0x%x, want 0x%x\n", list,
			    types, want);
		fail();
	}
}

/* Refused, *bad at @bad_off in @list, types untouched. */
static void expect_parse_bad(const char *list, size_t bad_off)
{
	const char *bad = NULL;
	uint32_t types = 0xdeadbeef;

	if (vnh_parse_hash_types(list, &types, &bad) != -EINVAL ||
	    types != 0xdeadbeef || bad != list + bad_off) {
		print_error("parse \"%s\": bad at %td, want %zu\n", list,
			    bad ? bad - list : -1, bad_off);
		fail();
	}
	/* bad may be NULL */
	assert_int_equal(vnh_parse_hash_types(list, &types, NULL), -EINVAL);
	assert_int_equal(types, 0xdeadbeef);
}

static void test_parse_hash_types(void **state)
{
	char list[128];
	uint32_t mask, types;
	unsigned int i;

	(void)state;
	expect_parse("all", VNH_HASH_TYPE_ALL);
	expect_parse("none", 0);
	for (i = 0; i < 9; i++)
		expect_parse(names[i + 1], 1u << i);
	expect_parse("ipv4,tcpv6_ex", 0x81);
	expect_parse("tcpv6_ex,ipv4", 0x81);
	expect_parse("ipv4,ipv4", 1);
	expect_parse("ipv4,tcpv4,udpv4,ipv6,tcpv6,udpv6,ipv6_ex,tcpv6_ex,"
		     "udpv6_ex", VNH_HASH_TYPE_ALL);
	/* Every combination, written out. */
	for (mask = 1; mask <= VNH_HASH_TYPE_ALL; mask++) {
		size_t n = 0;

		list[0] = 0;
		for (i = 0; i < 9; i++)
			if (mask & (1u << i))
				n += (size_t)snprintf(list + n, sizeof(list) - n,
						      "%s%s", n ? "," : "",
						      names[i + 1]);
		expect_parse(list, mask);
	}

	expect_parse_bad("bogus", 0);
	expect_parse_bad("", 0);
	expect_parse_bad(",ipv4", 0);
	expect_parse_bad("ipv4,", 5);
	expect_parse_bad("ipv4,bogus", 5);
	expect_parse_bad("ipv4,,tcpv4", 5);
	expect_parse_bad("ipv4x", 0);
	expect_parse_bad("ipv", 0);
	expect_parse_bad(" ipv4", 0);
	expect_parse_bad("ipv4 ", 0);
	expect_parse_bad("tcpv6_ex,udpv6_exx", 9);
	expect_parse_bad("tcpv4,udpv4,ipv6_e", 12);
	expect_parse_bad("none,ipv4", 0);
	expect_parse_bad("ipv4,all", 5);
	assert_int_equal(vnh_parse_hash_types(NULL, &types, NULL), -EINVAL);
	assert_int_equal(vnh_parse_hash_types("ipv4", NULL, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fill_hdr_hash),
		cmocka_unit_test(test_report_names),
		cmocka_unit_test(test_hash_type_names),
		cmocka_unit_test(test_parse_hash_types),
	};

	return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
