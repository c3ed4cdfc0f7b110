// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/vnet_hdr.c: the hash fields (bytes 12-19) of a virtio_net_hdr_v1_hash
 * as tun hands it over: filled with a pattern before the read, then told
 * apart as left alone, all zero, or a report; and when zeros are a report.
 */
#include <endian.h>
#include <string.h>

#include "util.h"
#include "internal.h"

/* The layout of virtio 1.x, typed in: hash_value at 12, hash_report at 16. */
#define HASH_AT		12
#define REPORT_AT	16
#define HASH_END	20

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(VNH_HDR_HASH_OFF, HASH_AT);
	assert_int_equal(VNH_HDR_HASH_OFF + VNH_HDR_HASH_LEN, HASH_END);
}

/* Prefill writes the eight hash bytes and nothing else. */
static void test_prefill_touches_only_hash_fields(void **state)
{
	uint8_t hdr[32];
	size_t i;

	(void)state;
	memset(hdr, 0x11, sizeof(hdr));
	vnh_hdr_hash_prefill(hdr, 20);
	for (i = 0; i < sizeof(hdr); i++) {
		if (i >= HASH_AT && i < HASH_END)
			assert_int_not_equal(hdr[i], 0x11);
		else
			assert_int_equal(hdr[i], 0x11);
	}
	/* A longer header: the same eight bytes. */
	memset(hdr, 0x22, sizeof(hdr));
	vnh_hdr_hash_prefill(hdr, sizeof(hdr));
	for (i = 0; i < sizeof(hdr); i++)
		if (i < HASH_AT || i >= HASH_END)
			assert_int_equal(hdr[i], 0x22);
}

/* Headers without the hash fields (12 bytes, or none) are left alone. */
static void test_short_headers(void **state)
{
	uint8_t hdr[20];
	uint32_t hash = 1;
	uint16_t report = 1;
	size_t sz;

	(void)state;
	for (sz = 0; sz < 20; sz++) {
		memset(hdr, 0x33, sizeof(hdr));
		vnh_hdr_hash_prefill(hdr, sz);
		for (size_t i = 0; i < sizeof(hdr); i++)
			assert_int_equal(hdr[i], 0x33);
		hash = 1;
		report = 1;
		assert_int_equal(vnh_hdr_hash_get(hdr, sz, &hash, &report),
				 VNH_HDR_HASH_UNTOUCHED);
		assert_int_equal(hash, 0);
		assert_int_equal(report, 0);
	}
}

static void test_untouched_zero_set(void **state)
{
	uint8_t hdr[20];
	uint32_t hash;
	uint16_t report;

	(void)state;
	/* Nothing written over the pattern: left alone. */
	memset(hdr, 0, sizeof(hdr));
	vnh_hdr_hash_prefill(hdr, sizeof(hdr));
	hash = 7;
	report = 7;
	assert_int_equal(vnh_hdr_hash_get(hdr, sizeof(hdr), &hash, &report),
			 VNH_HDR_HASH_UNTOUCHED);
	assert_int_equal(hash, 0);
	assert_int_equal(report, 0);

	/* All zero: report NONE or no report. */
	memset(hdr + HASH_AT, 0, HASH_END - HASH_AT);
	hash = 7;
	report = 7;
	assert_int_equal(vnh_hdr_hash_get(hdr, sizeof(hdr), &hash, &report),
			 VNH_HDR_HASH_ZERO);
	assert_int_equal(hash, 0);
	assert_int_equal(report, 0);

	/* A report, little-endian on the wire, host order out. */
	put_le32(hdr + HASH_AT, 0x51ccc178);
	hdr[REPORT_AT] = VNH_REPORT_TCPV4;
	hdr[REPORT_AT + 1] = 0;
	assert_int_equal(vnh_hdr_hash_get(hdr, sizeof(hdr), &hash, &report),
			 VNH_HDR_HASH_SET);
	assert_int_equal(hash, 0x51ccc178);
	assert_int_equal(report, VNH_REPORT_TCPV4);

	/* Hash 0 with a report type is still a report. */
	memset(hdr + HASH_AT, 0, HASH_END - HASH_AT);
	hdr[REPORT_AT] = VNH_REPORT_IPV6;
	assert_int_equal(vnh_hdr_hash_get(hdr, sizeof(hdr), &hash, &report),
			 VNH_HDR_HASH_SET);
	assert_int_equal(hash, 0);
	assert_int_equal(report, VNH_REPORT_IPV6);

	/* Only the padding differs from the pattern: set, as written. */
	vnh_hdr_hash_prefill(hdr, sizeof(hdr));
	hdr[HASH_END - 1] = 0;
	assert_int_equal(vnh_hdr_hash_get(hdr, sizeof(hdr), &hash, &report),
			 VNH_HDR_HASH_SET);
}

/* What vnh_hdr_hash_get() returns agrees with vnh_fill_hdr_hash(). */
static void test_round_trip_with_fill(void **state)
{
	struct virtio_net_hdr_v1_hash h;
	struct vnh_result res;
	uint32_t hash;
	uint16_t report;
	int i;

	(void)state;
	rnd_seed(11);
	for (i = 0; i < 1000; i++) {
		memset(&h, 0, sizeof(h));
		vnh_hdr_hash_prefill(&h, sizeof(h));
		res.hash = (uint32_t)rnd();
		res.report = (uint16_t)(1 + rnd() % VNH_REPORT_MAX);
		res.queue = 0;
		vnh_fill_hdr_hash(&h, &res);
		assert_int_equal(vnh_hdr_hash_get(&h, sizeof(h), &hash,
						  &report), VNH_HDR_HASH_SET);
		assert_int_equal(hash, res.hash);
		assert_int_equal(report, res.report);
	}
}

static void test_zero_is_report(void **state)
{
	struct vnh_steer_info prog = { .sz = sizeof(prog) };

	(void)state;
	/* Unknown program: assumed to report, if the kernel can. */
	assert_int_equal(vnh_hdr_zero_is_report(1, NULL, 2), 1);
	assert_int_equal(vnh_hdr_zero_is_report(1, NULL, 256), 1);
	/* No kfunc, or not known to be there. */
	assert_int_equal(vnh_hdr_zero_is_report(0, NULL, 4), 0);
	assert_int_equal(vnh_hdr_zero_is_report(-2, NULL, 4), 0);
	/* One queue (or unknown): tun runs no program. */
	assert_int_equal(vnh_hdr_zero_is_report(1, NULL, 1), 0);
	assert_int_equal(vnh_hdr_zero_is_report(1, NULL, 0), 0);
	assert_int_equal(vnh_hdr_zero_is_report(1, NULL, -1), 0);
	/* A known program: it must call the kfunc and report. */
	prog.kfunc = 1;
	prog.no_report = 0;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 1);
	prog.no_report = 1;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 0);
	prog.no_report = 0;
	prog.kfunc = 0;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 0);
	prog.kfunc = -1;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 0);
	/* A BPF_PROG_TYPE_VNET_HASH program reports without calling it. */
	prog.kfunc = 0;
	prog.mechanism = VNH_STEER_MECH_PROGTYPE;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 1);
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 1), 1);
	prog.no_report = 1;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 0);
	prog.no_report = 0;
	prog.mechanism = VNH_STEER_MECH_STEER;
	assert_int_equal(vnh_hdr_zero_is_report(1, &prog, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_prefill_touches_only_hash_fields),
		cmocka_unit_test(test_short_headers),
		cmocka_unit_test(test_untouched_zero_set),
		cmocka_unit_test(test_round_trip_with_fill),
		cmocka_unit_test(test_zero_is_report),
	};

	return cmocka_run_group_tests_name("vnet_hdr", tests, NULL, NULL);
}
