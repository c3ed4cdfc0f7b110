// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The rules' fast path (vnh_rules_eth_fast, vnh_rules_l3_fast in
 * lib/vnethash_rules.h), which the library and the eBPF program try first,
 * against the general rules of the same header: on ~300,000 frames of every
 * shape (IPv4 with and without options, fragments, TCP/UDP/other, IPv6 with
 * and without extension headers, VLAN tags, other EtherTypes, bad version
 * fields), cut at every length and seen through every window length the
 * BPF program may have loaded, under random hash types. Wherever the fast
 * path answers, its report type and hash input (bytes in place in the
 * packet) must be the general rules'; it must answer for the common
 * shapes, and say VNH_FAST_MISS for the others. And vnh_rss_hash_frames(),
 * which builds on it, against vnh_rss_hash_frame() frame by frame; and the
 * whole-frame path of each Toeplitz implementation (scalar, GFNI where the
 * CPU has it), one frame and many at a time, against the general rules and
 * the bit-by-bit hash.
 */
#include <errno.h>
#include <linux/types.h>
#include <string.h>

#include "toeplitz_impl.h"
#include "util.h"

struct tbuf {
	const uint8_t *data;
	size_t len;
};

static inline int tbuf_load(const struct tbuf *b, __u32 off, void *dst,
			    __u32 len)
{
	if (off > b->len || len > b->len - off)
		return -1;
	memcpy(dst, b->data + off, len);
	return 0;
}

#define VNH_CTX_T const struct tbuf *
#define VNH_LOAD(ctx, off, dst, len) tbuf_load(ctx, off, dst, len)
#define VNH_INLINE static inline
#include "vnethash_rules.h"

enum shape { S_V4TCP, S_V4UDP, S_V4ICMP, S_V4OPT, S_V4FRAG, S_V6TCP, S_V6UDP,
	     S_V6ICMP, S_V6EXT, S_VLAN, S_ARP, S_V4BADVER, S_V6BADVER, S_N };

static size_t build(struct fb *f, enum shape s)
{
	uint8_t a[16], b[16], r[4];
	uint16_t sp, dp;

	rnd_bytes(a, sizeof(a));
	rnd_bytes(b, sizeof(b));
	rnd_bytes(r, sizeof(r));
	sp = (uint16_t)(r[0] << 8 | r[1]);
	dp = (uint16_t)(r[2] << 8 | r[3]);
	fb_init(f);
	switch (s) {
	case S_V4TCP: case S_V4UDP: case S_V4ICMP: case S_V4BADVER:
		fb_eth(f, 0x0800);
		fb_ipv4(f, 5, s == S_V4UDP ? 17 : s == S_V4ICMP ? 1 : 6, 0, a, b);
		if (s == S_V4BADVER)
			f->d[14] = 0x65;
		if (s == S_V4UDP)
			fb_udp(f, sp, dp);
		else
			fb_tcp(f, sp, dp);
		break;
	case S_V4OPT:
		fb_eth(f, 0x0800);
		fb_ipv4(f, 6 + r[0] % 4, 6, 0, a, b);
		fb_tcp(f, sp, dp);
		break;
	case S_V4FRAG:
		fb_eth(f, 0x0800);
		fb_ipv4(f, 5, r[0] & 1 ? 6 : 17, r[1] & 1 ? 0x2000 : 0x0010, a, b);
		fb_tcp(f, sp, dp);
		break;
	case S_V6TCP: case S_V6UDP: case S_V6ICMP: case S_V6BADVER:
		fb_eth(f, 0x86dd);
		fb_ipv6(f, s == S_V6UDP ? 17 : s == S_V6ICMP ? 58 : 6, a, b);
		if (s == S_V6BADVER)
			f->d[14] = 0x40;
		if (s == S_V6UDP)
			fb_udp(f, sp, dp);
		else
			fb_tcp(f, sp, dp);
		break;
	case S_V6EXT:
		fb_eth(f, 0x86dd);
		fb_ipv6(f, 60, a, b);
		fb_dst_hao(f, 6, b);
		fb_tcp(f, sp, dp);
		break;
	case S_VLAN:
		fb_eth(f, 0x8100);
		fb_vlan(f, 5, 0x0800);
		fb_ipv4(f, 5, 6, 0, a, b);
		fb_tcp(f, sp, dp);
		break;
	default:
		fb_eth(f, 0x0806);
		fb_fill(f, 0x11, 28);
		break;
	}
	return f->n;
}

static void test_fast_matches_general(void **state)
{
	unsigned long answered[S_N] = { 0 }, tried[S_N] = { 0 };
	struct fb f;
	size_t full, cut, win;
	int s, round;

	(void)state;
	rnd_seed(11);
	for (round = 0; round < 120; round++) {
		for (s = 0; s < S_N; s++) {
			uint8_t t[2];
			__u32 types;

			full = build(&f, (enum shape)s);
			rnd_bytes(t, 2);
			types = (round % 3 ? ((__u32)t[0] << 8 | t[1]) :
					     0xffffffffu) & VNH_HASH_TYPE_ALL;
			for (cut = 0; cut <= full; cut++) {
				struct tbuf pkt = { f.d, cut };
				struct vnh_hash_input in;
				__u32 gen = vnh_rules_eth(&pkt, types, &in);

				/*
				 * Windows: the whole packet, and at most 80
				 * bytes of it (what the BPF program loads).
				 */
				for (win = cut; ; win = 80) {
					__u32 off = 0, rep;

					rep = vnh_rules_eth_fast(f.d, (__u32)win,
								 types, &off);
					tried[s]++;
					if (rep == VNH_FAST_MISS) {
						if (cut <= 80 || win == 80)
							break;
						continue;
					}
					answered[s]++;
					assert_int_equal(rep, gen);
					assert_int_equal(vnh_rules_input_len(rep),
							 in.len);
					if (in.len) {
						assert_true(off + in.len <= win);
						assert_memory_equal(f.d + off,
								    in.data,
								    in.len);
					}
					if (cut <= 80 || win == 80)
						break;
				}
			}
		}
	}
	/* The common shapes are taken, the others never. */
	for (s = 0; s < S_N; s++) {
		if (s == S_V4OPT || s == S_V6EXT || s == S_VLAN ||
		    s == S_V4BADVER || s == S_V6BADVER)
			assert_int_equal(answered[s], 0);
		else
			assert_true(answered[s] >= 200 &&
				    answered[s] < tried[s]);
	}
}

/* The same for a tun's IP packets (vnh_rules_l3_fast at offset 0). */
static void test_fast_l3_matches_general(void **state)
{
	unsigned long answered = 0;
	struct fb f;
	size_t full, cut;
	int s, round;

	(void)state;
	rnd_seed(12);
	for (round = 0; round < 200; round++) {
		for (s = 0; s < S_N; s++) {
			uint8_t t[2];
			__u32 types, et;

			full = build(&f, (enum shape)s);
			if (full < 14)
				continue;
			et = (__u32)f.d[12] << 8 | f.d[13];
			rnd_bytes(t, 2);
			types = (round % 3 ? ((__u32)t[0] << 8 | t[1]) :
					     0xffffffffu) & VNH_HASH_TYPE_ALL;
			for (cut = 14; cut <= full; cut++) {
				struct tbuf pkt = { f.d + 14, cut - 14 };
				struct vnh_hash_input in;
				__u32 gen = vnh_rules_l3(&pkt, 0, et, types, &in);
				__u32 off = 0, rep;

				rep = vnh_rules_l3_fast(f.d + 14, 0,
							(__u32)(cut - 14), et,
							types, &off);
				if (rep == VNH_FAST_MISS)
					continue;
				answered++;
				assert_int_equal(rep, gen);
				assert_int_equal(vnh_rules_input_len(rep), in.len);
				if (in.len)
					assert_memory_equal(f.d + 14 + off,
							    in.data, in.len);
			}
		}
	}
	assert_true(answered > 10000);
}

/* The batch call gives what one call per frame gives, frame by frame. */
static void test_batch_matches_single(void **state)
{
	static struct fb fbs[64];
	const void *frames[64];
	struct vnh_result got[64], want;
	size_t lens[64], n, i;
	struct vnh_rss *rss = vnh_rss_new();
	uint8_t t[4];
	int round;

	(void)state;
	assert_non_null(rss);
	rnd_seed(13);
	for (round = 0; round < 2000; round++) {
		rnd_bytes(t, sizeof(t));
		n = t[0] % 65;
		if (round % 50 == 0) {
			uint8_t key[40];

			rnd_bytes(key, sizeof(key));
			assert_int_equal(vnh_rss_set_key(rss, key, 40), 0);
			assert_int_equal(vnh_rss_set_hash_types(rss,
				round % 100 ? ((uint32_t)t[1] << 8 | t[2]) &
				VNH_HASH_TYPE_ALL : VNH_HASH_TYPE_ALL), 0);
			assert_int_equal(vnh_rss_set_spread(rss, 1 + t[3] % 8,
							    128), 0);
		}
		for (i = 0; i < n; i++) {
			size_t full = build(&fbs[i], (enum shape)(
					(t[1] + i * 7 + (size_t)round) % S_N));

			rnd_bytes(t + 3, 1);
			lens[i] = t[3] % 4 ? full : t[3] % (full + 1);
			frames[i] = fbs[i].d;
		}
		memset(got, 0xa5, sizeof(got));
		assert_int_equal(vnh_rss_hash_frames(rss, frames, lens, n, got),
				 0);
		for (i = 0; i < n; i++) {
			assert_int_equal(vnh_rss_hash_frame(rss, frames[i],
							    lens[i], &want), 0);
			assert_int_equal(got[i].hash, want.hash);
			assert_int_equal(got[i].report, want.report);
			assert_int_equal(got[i].queue, want.queue);
		}
	}
	assert_int_equal(vnh_rss_hash_frames(NULL, frames, lens, 1, got),
			 -EINVAL);
	assert_int_equal(vnh_rss_hash_frames(rss, NULL, lens, 1, got),
			 -EINVAL);
	assert_int_equal(vnh_rss_hash_frames(rss, NULL, NULL, 0, NULL), 0);
	vnh_rss_free(rss);
}

/*
 * Every shape, cut at every length, under random hash types, keys and
 * indirection tables: the whole-frame path of implementation @gfni gives
 * the general rules' report, the bit-by-bit hash of their input and the
 * queue of the test's own copy of the table; one call per frame and one
 * call for all of them.
 */
static void check_frame_impl(int gfni)
{
	static struct fb fbs[S_N];
	static uint16_t table[256];
	static const void *frames[2048];
	static size_t lens[2048];
	static struct vnh_result got[2048], want[2048];
	struct vnh_rss *rss = vnh_rss_new();
	unsigned long hashed = 0;
	uint8_t key[40], t[4];
	size_t i, n, tlen;
	int round, s;

	assert_non_null(rss);
	rnd_seed(20 + (unsigned int)gfni);
	for (round = 0; round < 60; round++) {
		__u32 types;
		uint16_t uncl;

		rnd_bytes(key, sizeof(key));
		rnd_bytes(t, sizeof(t));
		types = (round % 3 ? ((__u32)t[0] << 8 | t[1]) : 0xffffffffu) &
			VNH_HASH_TYPE_ALL;
		tlen = (size_t)1 << (t[2] % 9);
		for (i = 0; i < tlen; i++) {
			rnd_bytes(t, 2);
			table[i] = (uint16_t)((t[0] << 8 | t[1]) & 0x7fff);
		}
		rnd_bytes(t, 2);
		uncl = (uint16_t)((t[0] << 8 | t[1]) & 0x7fff);
		assert_int_equal(vnh_rss_set_key(rss, key, sizeof(key)), 0);
		assert_int_equal(vnh_rss_set_hash_types(rss, types), 0);
		assert_int_equal(vnh_rss_set_table(rss, table, tlen), 0);
		assert_int_equal(vnh_rss_set_unclassified(rss, uncl), 0);
		n = 0;
		for (s = 0; s < S_N; s++) {
			size_t full = build(&fbs[s], (enum shape)s), cut;

			for (cut = 0; cut <= full; cut++) {
				struct tbuf pkt = { fbs[s].d, cut };
				struct vnh_hash_input in;
				__u32 rep = vnh_rules_eth(&pkt, types, &in);
				struct vnh_result *w = &want[n];

				w->report = (uint16_t)rep;
				w->hash = rep == VNH_REPORT_NONE ? 0 :
					  vnh_toeplitz(key, sizeof(key),
						       in.data, in.len);
				w->queue = rep == VNH_REPORT_NONE ? uncl :
					   table[w->hash & (tlen - 1)];
				hashed += rep != VNH_REPORT_NONE;
				frames[n] = fbs[s].d;
				lens[n++] = cut;
				assert_int_equal(vnh_rss_hash_frame_with(gfni,
					rss, fbs[s].d, cut, &got[0]), 0);
				assert_int_equal(got[0].report, w->report);
				assert_int_equal(got[0].hash, w->hash);
				assert_int_equal(got[0].queue, w->queue);
			}
		}
		memset(got, 0xa5, sizeof(got));
		assert_int_equal(vnh_rss_hash_frames_with(gfni, rss, frames,
							  lens, n, got), 0);
		for (i = 0; i < n; i++) {
			assert_int_equal(got[i].report, want[i].report);
			assert_int_equal(got[i].hash, want[i].hash);
			assert_int_equal(got[i].queue, want[i].queue);
		}
	}
	assert_true(hashed > 5000);
	assert_int_equal(vnh_rss_hash_frame_with(gfni, NULL, frames[0], 1,
						 got), -EINVAL);
	assert_int_equal(vnh_rss_hash_frame_with(gfni, rss, NULL, 1, got),
			 -EINVAL);
	assert_int_equal(vnh_rss_hash_frame_with(gfni, rss, NULL, 0, NULL),
			 -EINVAL);
	assert_int_equal(vnh_rss_hash_frame_with(gfni, rss, NULL, 0, got), 0);
	assert_int_equal(got[0].report, VNH_REPORT_NONE);
	vnh_rss_free(rss);
}

static void test_frame_scalar(void **state)
{
	(void)state;
	check_frame_impl(0);
}

static void test_frame_gfni(void **state)
{
	(void)state;
	if (!vnh_toeplitz_gfni_usable())
		skip();	/* reported as skipped, not passed */
	check_frame_impl(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_matches_general),
		cmocka_unit_test(test_fast_l3_matches_general),
		cmocka_unit_test(test_batch_matches_single),
		cmocka_unit_test(test_frame_scalar),
		cmocka_unit_test(test_frame_gfni),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
