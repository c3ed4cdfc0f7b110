// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * libFuzzer target: packet hashing.
 *
 * Input: byte 0 selects
 *   bit 0      tap (Ethernet frame) or tun (IP packet)
 *   bits 1-2   the tun EtherType: IPv4, IPv6, 802.1Q, ARP
 *   bits 3-5   one of eight hash type masks
 *   bits 6-7   one of four keys (40, 1, 16 and 40 bytes)
 * the rest is the packet.
 *
 * Checks: the library against an independent model of docs/semantics.md
 * written here (report type, and the hash as the bit-by-bit vnh_toeplitz()
 * over the tuple the model derives); report <= 9; hash 0 for NONE; the type
 * reported is enabled; vnh_rss_hash_* agree and pick the queue from the
 * table (or the unclassified queue for NONE); the tap result equals the tun
 * result on the same packet after the link-layer header; determinism;
 * the whole-frame path of each Toeplitz implementation (scalar, and GFNI
 * where the CPU has it), one frame and a batch of one, gives the same.
 */
#include <stdint.h>
#include <string.h>

#include "vnethash.h"
#include "fuzz_check.h"
#include "toeplitz_impl.h"

static const uint32_t type_presets[8] = {
	VNH_HASH_TYPE_ALL,
	0,
	VNH_HASH_TYPE_IPV4 | VNH_HASH_TYPE_TCPV4 | VNH_HASH_TYPE_UDPV4,
	VNH_HASH_TYPE_IPV6 | VNH_HASH_TYPE_TCPV6 | VNH_HASH_TYPE_UDPV6,
	VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_TCP_EX | VNH_HASH_TYPE_UDP_EX,
	VNH_HASH_TYPE_TCPV6 | VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_UDPV4,
	VNH_HASH_TYPE_IPV4 | VNH_HASH_TYPE_IPV6,
	VNH_HASH_TYPE_TCP_EX | VNH_HASH_TYPE_UDPV6 | VNH_HASH_TYPE_IPV6 |
		VNH_HASH_TYPE_TCPV4,
};

static const uint16_t tun_types[4] = { 0x0800, 0x86dd, 0x8100, 0x0806 };

struct key {
	uint8_t k[40];
	size_t len;
};

static struct key keys[4];
static struct vnh_rss *rss[4];
static int ready;

static void setup(void)
{
	size_t i;

	memcpy(keys[0].k, vnh_default_key, 40);
	keys[0].len = 40;
	keys[1].k[0] = 0xff;
	keys[1].len = 1;
	for (i = 0; i < 16; i++)
		keys[2].k[i] = vnh_default_key[39 - i];
	keys[2].len = 16;
	for (i = 0; i < 40; i++)
		keys[3].k[i] = (uint8_t)(0x5a ^ (i * 37));
	keys[3].len = 40;
	for (i = 0; i < 4; i++) {
		rss[i] = vnh_rss_new();
		CHECK(rss[i]);
		CHECK(vnh_rss_set_key(rss[i], keys[i].k, keys[i].len) == 0);
		CHECK(vnh_rss_set_unclassified(rss[i],
					       (uint16_t)(100 + i)) == 0);
	}
	ready = 1;
}

/* ---- the model: docs/semantics.md, written independently ---- */

struct tup {
	uint8_t d[36];
	size_t len;
};

static int have(size_t n, size_t off, size_t len)
{
	return off <= n && len <= n - off;
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static int model_ipv4(const uint8_t *p, size_t n, size_t off,
		      uint32_t types, struct tup *t)
{
	size_t ihl, l4;
	int frag, tcp, udp;

	if (!have(n, off, 20) || (p[off] >> 4) != 4)
		return VNH_REPORT_NONE;
	ihl = (size_t)(p[off] & 0x0f) * 4;
	if (ihl < 20 || !have(n, off, ihl))
		return VNH_REPORT_NONE;
	frag = (be16(p + off + 6) & 0x3fff) != 0;	/* MF | offset */
	l4 = off + ihl;
	tcp = !frag && p[off + 9] == 6 && have(n, l4, 20);
	udp = !frag && p[off + 9] == 17 && have(n, l4, 8);
	memcpy(t->d, p + off + 12, 8);
	if ((tcp && (types & VNH_HASH_TYPE_TCPV4)) ||
	    (udp && (types & VNH_HASH_TYPE_UDPV4))) {
		memcpy(t->d + 8, p + l4, 4);
		t->len = 12;
		return tcp ? VNH_REPORT_TCPV4 : VNH_REPORT_UDPV4;
	}
	if (types & VNH_HASH_TYPE_IPV4) {
		t->len = 8;
		return VNH_REPORT_IPV4;
	}
	return VNH_REPORT_NONE;
}

static int is_ext(unsigned int nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

/* Home Address option in the DestOpts header h[0..len). */
static const uint8_t *find_hao(const uint8_t *h, size_t len)
{
	size_t pos = 2, count;

	for (count = 0; count < 16 && pos < len; count++) {
		size_t olen;

		if (h[pos] == 0) {
			pos++;
			continue;
		}
		if (pos + 2 > len)
			return NULL;
		olen = h[pos + 1];
		if (pos + 2 + olen > len)
			return NULL;
		if (h[pos] == 0xc9 && olen == 16)
			return h + pos + 2;
		pos += 2 + olen;
	}
	return NULL;
}

static int model_ipv6(const uint8_t *p, size_t n, size_t off,
		      uint32_t types, struct tup *t)
{
	const uint8_t *src, *dst, *hao = NULL, *rt2 = NULL;
	size_t pos = off + 40, hlen, count = 0;
	int cut = 0, frag = 0, tcp, udp, ex;
	unsigned int nh;

	if (!have(n, off, 40) || (p[off] >> 4) != 6)
		return VNH_REPORT_NONE;
	src = p + off + 8;
	dst = p + off + 24;
	nh = p[off + 6];
	while (is_ext(nh)) {
		if (count == 8 || !have(n, pos, 2)) {
			cut = 1;
			break;
		}
		if (nh == 44)
			hlen = 8;
		else if (nh == 51)
			hlen = ((size_t)p[pos + 1] + 2) * 4;
		else
			hlen = ((size_t)p[pos + 1] + 1) * 8;
		if (!have(n, pos, hlen)) {
			cut = 1;
			break;
		}
		if (nh == 44)
			frag = 1;
		if (nh == 43 && !rt2 && p[pos + 1] == 2 && p[pos + 2] == 2)
			rt2 = p + pos + 8;
		if (nh == 60 && !hao)
			hao = find_hao(p + pos, hlen);
		nh = p[pos];
		pos += hlen;
		count++;
	}
	tcp = !cut && !frag && nh == 6 && have(n, pos, 20);
	udp = !cut && !frag && nh == 17 && have(n, pos, 8);

	if (tcp && (types & (VNH_HASH_TYPE_TCP_EX | VNH_HASH_TYPE_TCPV6))) {
		ex = !!(types & VNH_HASH_TYPE_TCP_EX);
		t->len = 36;
	} else if (udp && (types & (VNH_HASH_TYPE_UDP_EX |
				    VNH_HASH_TYPE_UDPV6))) {
		ex = !!(types & VNH_HASH_TYPE_UDP_EX);
		t->len = 36;
	} else if (types & (VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_IPV6)) {
		ex = !!(types & VNH_HASH_TYPE_IP_EX);
		t->len = 32;
	} else {
		return VNH_REPORT_NONE;
	}
	memcpy(t->d, ex && hao ? hao : src, 16);
	memcpy(t->d + 16, ex && rt2 ? rt2 : dst, 16);
	if (t->len == 32)
		return ex ? VNH_REPORT_IPV6_EX : VNH_REPORT_IPV6;
	memcpy(t->d + 32, p + pos, 4);
	if (tcp)
		return ex ? VNH_REPORT_TCPV6_EX : VNH_REPORT_TCPV6;
	return ex ? VNH_REPORT_UDPV6_EX : VNH_REPORT_UDPV6;
}

static int model_l3(const uint8_t *p, size_t n, size_t off, unsigned int et,
		    uint32_t types, struct tup *t)
{
	t->len = 0;
	if (et == 0x0800)
		return model_ipv4(p, n, off, types, t);
	if (et == 0x86dd)
		return model_ipv6(p, n, off, types, t);
	return VNH_REPORT_NONE;
}

/* Returns the L3 offset and EtherType, or 0 when the frame is not IP. */
static size_t model_eth(const uint8_t *p, size_t n, unsigned int *et)
{
	size_t off = 14, i;

	if (n < 14)
		return 0;
	*et = be16(p + 12);
	for (i = 0; i < 2 && (*et == 0x8100 || *et == 0x88a8); i++) {
		if (!have(n, off, 4))
			return 0;
		*et = be16(p + off + 2);
		off += 4;
	}
	return off;
}

/* ---- checks ---- */

static void check_one(int tun, unsigned int et, const uint8_t *pkt,
		      size_t n, uint32_t types, int k, size_t tlen)
{
	const struct vnh_toeplitz_table *tt = vnh_rss_toeplitz(rss[k]);
	struct vnh_result r1, r2, r3;
	const uint16_t *table;
	struct tup t;
	size_t len, off = 0;
	int want;

	memset(&r1, 0xa5, sizeof(r1));
	memset(&r2, 0x5a, sizeof(r2));
	if (tun) {
		CHECK(vnh_hash_l3(tt, types, (uint16_t)et, pkt, n, &r1) == 0);
		CHECK(vnh_hash_l3(tt, types, (uint16_t)et, pkt, n, &r2) == 0);
		want = model_l3(pkt, n, 0, et, types, &t);
	} else {
		CHECK(vnh_hash_frame(tt, types, pkt, n, &r1) == 0);
		CHECK(vnh_hash_frame(tt, types, pkt, n, &r2) == 0);
		off = model_eth(pkt, n, &et);
		want = off ? model_l3(pkt, n, off, et, types, &t) :
			     VNH_REPORT_NONE;
	}
	/* Deterministic, in range, hash 0 for NONE, type enabled. */
	CHECK(r1.hash == r2.hash && r1.report == r2.report);
	CHECK(r1.report <= VNH_REPORT_MAX);
	CHECK(r1.report != VNH_REPORT_NONE || r1.hash == 0);
	CHECK(r1.report == VNH_REPORT_NONE ||
	      (types & (1u << (r1.report - 1))));
	/* The model. */
	if (r1.report != want) {
		fprintf(stderr, "report %u, model %d (tun %d et 0x%x types "
			"0x%x)\n", r1.report, want, tun, et, types);
		CHECK(r1.report == want);
	}
	if (want != VNH_REPORT_NONE) {
		CHECK(r1.hash == vnh_toeplitz(keys[k].k, keys[k].len, t.d,
					      t.len));
		CHECK(r1.hash == vnh_toeplitz_table_hash(tt, t.d, t.len));
	}
	/* The tap result is the tun result on the IP packet. */
	if (!tun && off) {
		memset(&r3, 0, sizeof(r3));
		CHECK(vnh_hash_l3(tt, types, (uint16_t)et, pkt + off, n - off,
				  &r3) == 0);
		CHECK(r3.hash == r1.hash && r3.report == r1.report);
	}
	/* Queue selection through the RSS object. */
	CHECK(vnh_rss_set_hash_types(rss[k], types) == 0);
	CHECK(vnh_rss_set_spread(rss[k], 3 + (unsigned int)k * 2, tlen) == 0);
	memset(&r3, 0xa5, sizeof(r3));
	if (tun)
		CHECK(vnh_rss_hash_l3(rss[k], (uint16_t)et, pkt, n, &r3) == 0);
	else
		CHECK(vnh_rss_hash_frame(rss[k], pkt, n, &r3) == 0);
	CHECK(r3.hash == r1.hash && r3.report == r1.report);
	table = vnh_rss_table(rss[k], &len);
	CHECK(len == tlen);
	if (r3.report == VNH_REPORT_NONE) {
		CHECK(r3.queue == 100 + k);
	} else {
		CHECK(r3.queue == table[r3.hash & (tlen - 1)]);
		CHECK(r3.queue == (r3.hash & (tlen - 1)) % (3 + (size_t)k * 2));
	}
	CHECK(vnh_rss_select_queue(rss[k], r3.hash, r3.report) == r3.queue);
	/* Each implementation's whole-frame path, one and a batch of one. */
	if (!tun) {
		const void *frames[1] = { pkt };
		int gfni;

		for (gfni = 0; gfni <= vnh_toeplitz_gfni_usable(); gfni++) {
			memset(&r2, 0x5a, sizeof(r2));
			CHECK(vnh_rss_hash_frame_with(gfni, rss[k], pkt, n,
						      &r2) == 0);
			CHECK(r2.hash == r3.hash && r2.report == r3.report &&
			      r2.queue == r3.queue);
			memset(&r2, 0x5a, sizeof(r2));
			CHECK(vnh_rss_hash_frames_with(gfni, rss[k], frames,
						       &n, 1, &r2) == 0);
			CHECK(r2.hash == r3.hash && r2.report == r3.report &&
			      r2.queue == r3.queue);
		}
	}
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	uint8_t ctl, *pkt;
	size_t n;
	int tun, k;
	uint32_t types;

	if (!ready)
		setup();
	if (size < 1)
		return 0;
	ctl = data[0];
	tun = ctl & 1;
	types = type_presets[(ctl >> 3) & 7];
	k = ctl >> 6;
	n = size - 1;
	/* An exact copy, so ASan sees any read past the packet. */
	pkt = malloc(n ? n : 1);
	CHECK(pkt);
	memcpy(pkt, data + 1, n);
	check_one(tun, tun_types[(ctl >> 1) & 3], pkt, n, types, k,
		  (size_t)1 << (n % 9));
	if (types != VNH_HASH_TYPE_ALL)
		check_one(tun, tun_types[(ctl >> 1) & 3], pkt, n,
			  VNH_HASH_TYPE_ALL, k, 128);
	free(pkt);
	return 0;
}
