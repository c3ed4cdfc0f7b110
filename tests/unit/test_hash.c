// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lib/hash.c: the rules of shared/vnethash_rules.h (docs/semantics.md) over
 * a buffer, one test per branch, on hand-built frames; and every truncation
 * point of representative frames, hashed from a heap buffer of exactly that
 * length.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define ALL	VNH_HASH_TYPE_ALL
#define IPV4	VNH_HASH_TYPE_IPV4
#define TCPV4	VNH_HASH_TYPE_TCPV4
#define UDPV4	VNH_HASH_TYPE_UDPV4
#define IPV6	VNH_HASH_TYPE_IPV6
#define TCPV6	VNH_HASH_TYPE_TCPV6
#define UDPV6	VNH_HASH_TYPE_UDPV6
#define IP_EX	VNH_HASH_TYPE_IP_EX
#define TCP_EX	VNH_HASH_TYPE_TCP_EX
#define UDP_EX	VNH_HASH_TYPE_UDP_EX
#define V4_ALL	(IPV4 | TCPV4 | UDPV4)
#define V6_ALL	(IPV6 | TCPV6 | UDPV6 | IP_EX | TCP_EX | UDP_EX)

#define R_NONE	VNH_REPORT_NONE
#define R_IPV4	VNH_REPORT_IPV4
#define R_TCPV4	VNH_REPORT_TCPV4
#define R_UDPV4	VNH_REPORT_UDPV4
#define R_IPV6	VNH_REPORT_IPV6
#define R_TCPV6	VNH_REPORT_TCPV6
#define R_UDPV6	VNH_REPORT_UDPV6
#define R_IPEX	VNH_REPORT_IPV6_EX
#define R_TCPEX	VNH_REPORT_TCPV6_EX
#define R_UDPEX	VNH_REPORT_UDPV6_EX

/* IPv6 next-header values */
#define NH_HBH	0
#define NH_TCP	6
#define NH_UDP	17
#define NH_RT	43
#define NH_FRAG	44
#define NH_ESP	50
#define NH_AH	51
#define NH_ICMP6 58
#define NH_NONE	59
#define NH_DST	60
#define NH_MH	135

static int has_ports(int r)
{
	return r == R_TCPV4 || r == R_UDPV4 || r == R_TCPV6 ||
	       r == R_UDPV6 || r == R_TCPEX || r == R_UDPEX;
}

static int is_ex(int r)
{
	return r == R_IPEX || r == R_TCPEX || r == R_UDPEX;
}

/* IPv4: tuple from V4_S/V4_D and SPORT/DPORT. */
static void check4_at(const char *file, int line, int et, const uint8_t *d,
		      size_t n, uint32_t types, int report)
{
	uint8_t t[36];
	size_t tl = tuple4(t, V4_S, V4_D, has_ports(report), SPORT, DPORT);

	expect_hash_at(file, line, et, d, n, types, report, t, tl);
}

/*
 * IPv6: the _EX reports hash @exs/@exd (home address / type 2 routing
 * address or the header's), the others V6_S/V6_D.
 */
static void check6_at(const char *file, int line, int et, const uint8_t *d,
		      size_t n, uint32_t types, int report,
		      const uint8_t *exs, const uint8_t *exd)
{
	uint8_t t[36];
	size_t tl;

	if (is_ex(report))
		tl = tuple6(t, exs, exd, has_ports(report), SPORT, DPORT);
	else
		tl = tuple6(t, V6_S, V6_D, has_ports(report), SPORT, DPORT);
	expect_hash_at(file, line, et, d, n, types, report, t, tl);
}

#define CHECK4(f, types, report) \
	check4_at(__FILE__, __LINE__, -1, (f)->d, (f)->n, types, report)
#define CHECK4_LEN(f, len, types, report) \
	check4_at(__FILE__, __LINE__, -1, (f)->d, len, types, report)
#define CHECK6(f, types, report, exs, exd) \
	check6_at(__FILE__, __LINE__, -1, (f)->d, (f)->n, types, report, \
		  exs, exd)
#define CHECK6_LEN(f, len, types, report, exs, exd) \
	check6_at(__FILE__, __LINE__, -1, (f)->d, len, types, report, \
		  exs, exd)

struct tcase {
	uint32_t types;
	int report;
};

#define NCASES(a) (sizeof(a) / sizeof((a)[0]))

static void run4(const char *file, int line, const struct fb *f,
		 const struct tcase *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check4_at(file, line, -1, f->d, f->n, c[i].types, c[i].report);
}

static void run6(const char *file, int line, const struct fb *f,
		 const struct tcase *c, size_t n, const uint8_t *exs,
		 const uint8_t *exd)
{
	size_t i;

	for (i = 0; i < n; i++)
		check6_at(file, line, -1, f->d, f->n, c[i].types, c[i].report,
			  exs, exd);
}

#define RUN4(f, c) run4(__FILE__, __LINE__, f, c, NCASES(c))
#define RUN6(f, c, exs, exd) run6(__FILE__, __LINE__, f, c, NCASES(c), \
				  exs, exd)

/* Some L4 header: TCP, UDP, or 8 other bytes; then a little payload. */
static void fb_l4(struct fb *f, uint8_t proto)
{
	if (proto == NH_TCP)
		fb_tcp(f, SPORT, DPORT);
	else if (proto == NH_UDP)
		fb_udp(f, SPORT, DPORT);
	else
		fb_fill(f, 0x42, 8);
	fb_fill(f, 0x5a, 6);
}

static void v4_frame(struct fb *f, unsigned int ihl, uint8_t proto,
		     uint16_t frag)
{
	fb_init(f);
	fb_eth(f, 0x0800);
	fb_ipv4(f, ihl, proto, frag, V4_S, V4_D);
	fb_l4(f, proto);
}

static void v6_start(struct fb *f, uint8_t nh)
{
	fb_init(f);
	fb_eth(f, 0x86dd);
	fb_ipv6(f, nh, V6_S, V6_D);
}

/* ---- IPv4 ---- */

static void test_ipv4_tcp_types(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_TCPV4 }, { TCPV4, R_TCPV4 }, { V4_ALL, R_TCPV4 },
		{ TCPV4 | V6_ALL, R_TCPV4 }, { IPV4, R_IPV4 },
		{ IPV4 | UDPV4, R_IPV4 }, { IPV4 | V6_ALL, R_IPV4 },
		{ UDPV4, R_NONE }, { UDPV4 | V6_ALL, R_NONE },
		{ V6_ALL, R_NONE }, { 0, R_NONE },
	};
	struct fb f;

	(void)state;
	v4_frame(&f, 5, NH_TCP, 0);
	RUN4(&f, c);
	v4_frame(&f, 5, NH_TCP, 0x4000);	/* DF is no fragment */
	RUN4(&f, c);
}

static void test_ipv4_udp_types(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_UDPV4 }, { UDPV4, R_UDPV4 }, { UDPV4 | TCPV4, R_UDPV4 },
		{ IPV4, R_IPV4 }, { IPV4 | TCPV4, R_IPV4 },
		{ TCPV4, R_NONE }, { V6_ALL, R_NONE }, { 0, R_NONE },
	};
	struct fb f;

	(void)state;
	v4_frame(&f, 5, NH_UDP, 0);
	RUN4(&f, c);
}

static void test_ipv4_other_proto(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_IPV4 }, { IPV4, R_IPV4 }, { TCPV4 | UDPV4, R_NONE },
	};
	static const uint8_t protos[] = { 1, 2, 47, 50, 51, 132, 255, 0 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(protos); i++) {
		v4_frame(&f, 5, protos[i], 0);
		RUN4(&f, c);
	}
	/* TCP needs 20 bytes, UDP 8: one short, the IP rule. */
	v4_frame(&f, 5, NH_TCP, 0);
	CHECK4_LEN(&f, 14 + 20 + 19, ALL, R_IPV4);
	CHECK4_LEN(&f, 14 + 20 + 19, TCPV4, R_NONE);
	CHECK4_LEN(&f, 14 + 20 + 20, ALL, R_TCPV4);
	v4_frame(&f, 5, NH_UDP, 0);
	CHECK4_LEN(&f, 14 + 20 + 7, ALL, R_IPV4);
	CHECK4_LEN(&f, 14 + 20 + 8, ALL, R_UDPV4);
}

static void test_ipv4_options(void **state)
{
	struct fb f;
	unsigned int ihl;

	(void)state;
	for (ihl = 5; ihl <= 15; ihl++) {
		size_t hl = 14 + ihl * 4;

		v4_frame(&f, ihl, NH_TCP, 0);
		CHECK4(&f, ALL, R_TCPV4);
		CHECK4(&f, IPV4 | UDPV4, R_IPV4);
		CHECK4_LEN(&f, hl + 20, ALL, R_TCPV4);
		CHECK4_LEN(&f, hl + 19, ALL, R_IPV4);
		CHECK4_LEN(&f, hl, ALL, R_IPV4);
		/* Header shorter than its IHL: no IP packet. */
		CHECK4_LEN(&f, hl - 1, ALL, R_NONE);
		CHECK4_LEN(&f, 14 + 20, ALL, ihl == 5 ? R_IPV4 : R_NONE);
		v4_frame(&f, ihl, NH_UDP, 0);
		CHECK4(&f, ALL, R_UDPV4);
		CHECK4_LEN(&f, hl + 7, ALL, R_IPV4);
		CHECK4_LEN(&f, hl - 1, ALL, R_NONE);
	}
}

static void test_ipv4_bad_ihl(void **state)
{
	struct fb f;
	unsigned int ihl;

	(void)state;
	for (ihl = 0; ihl < 5; ihl++) {
		v4_frame(&f, ihl, NH_TCP, 0);
		CHECK4(&f, ALL, R_NONE);
		CHECK4(&f, IPV4, R_NONE);
		v4_frame(&f, ihl, NH_UDP, 0);
		CHECK4(&f, ALL, R_NONE);
	}
}

static void test_ipv4_fragments(void **state)
{
	/* flags + offset field: MF = 0x2000, offset = low 13 bits */
	static const uint16_t frags[] = {
		0x2000, 0x0001, 0x0100, 0x1000, 0x1fff, 0x2001, 0x3fff,
		0x6000, 0x6001, 0x4001, 0x8001, 0xa000, 0xffff,
	};
	static const uint16_t whole[] = { 0x0000, 0x4000, 0x8000, 0xc000 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(frags); i++) {
		v4_frame(&f, 5, NH_TCP, frags[i]);
		CHECK4(&f, ALL, R_IPV4);
		CHECK4(&f, TCPV4 | UDPV4, R_NONE);
		v4_frame(&f, 5, NH_UDP, frags[i]);
		CHECK4(&f, ALL, R_IPV4);
		CHECK4(&f, UDPV4, R_NONE);
		v4_frame(&f, 8, NH_TCP, frags[i]);
		CHECK4(&f, ALL, R_IPV4);
	}
	for (i = 0; i < NCASES(whole); i++) {
		v4_frame(&f, 5, NH_TCP, whole[i]);
		CHECK4(&f, ALL, R_TCPV4);
		v4_frame(&f, 5, NH_UDP, whole[i]);
		CHECK4(&f, ALL, R_UDPV4);
	}
}

static void test_ipv4_total_length_ignored(void **state)
{
	static const uint16_t tl[] = { 0, 1, 20, 39, 40, 0xffff };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(tl); i++) {
		v4_frame(&f, 5, NH_TCP, 0);
		f.d[14 + 2] = (uint8_t)(tl[i] >> 8);
		f.d[14 + 3] = (uint8_t)tl[i];
		CHECK4(&f, ALL, R_TCPV4);
	}
}

static void test_version_mismatch(void **state)
{
	static const uint8_t bad4[] = { 0, 1, 5, 6, 7, 15 };
	static const uint8_t bad6[] = { 0, 4, 5, 7, 15 };
	struct fb f;
	size_t i;

	(void)state;
	/* IPv6 packet under EtherType IPv4, and the other way round. */
	fb_init(&f);
	fb_eth(&f, 0x0800);
	fb_ipv6(&f, NH_TCP, V6_S, V6_D);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_NONE, NULL, NULL);
	EXPECT_L3(0x0800, f.d + 14, f.n - 14, ALL, R_NONE, NULL, 0);
	fb_init(&f);
	fb_eth(&f, 0x86dd);
	fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
	fb_l4(&f, NH_TCP);
	fb_fill(&f, 0, 40);
	CHECK4(&f, ALL, R_NONE);
	EXPECT_L3(0x86dd, f.d + 14, f.n - 14, ALL, R_NONE, NULL, 0);

	for (i = 0; i < sizeof(bad4); i++) {
		v4_frame(&f, 5, NH_TCP, 0);
		f.d[14] = (uint8_t)(bad4[i] << 4 | 5);
		CHECK4(&f, ALL, R_NONE);
	}
	for (i = 0; i < sizeof(bad6); i++) {
		v6_start(&f, NH_TCP);
		fb_l4(&f, NH_TCP);
		f.d[14] = (uint8_t)(bad6[i] << 4 | (f.d[14] & 0x0f));
		CHECK6(&f, ALL, R_NONE, NULL, NULL);
	}
}

/* ---- IPv6 without extension headers ---- */

static void test_ipv6_tcp_types(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_TCPEX }, { V6_ALL, R_TCPEX }, { TCP_EX, R_TCPEX },
		{ TCPV6 | TCP_EX, R_TCPEX }, { TCP_EX | IPV6, R_TCPEX },
		{ TCPV6, R_TCPV6 }, { TCPV6 | IP_EX, R_TCPV6 },
		{ TCPV6 | IPV6 | UDPV6 | UDP_EX, R_TCPV6 },
		{ IPV6, R_IPV6 }, { IPV6 | UDPV6 | UDP_EX, R_IPV6 },
		{ IP_EX, R_IPEX }, { IPV6 | IP_EX, R_IPEX },
		{ IP_EX | UDPV6, R_IPEX },
		{ UDPV6 | UDP_EX, R_NONE }, { V4_ALL, R_NONE }, { 0, R_NONE },
	};
	struct fb f;

	(void)state;
	v6_start(&f, NH_TCP);
	fb_l4(&f, NH_TCP);
	/* No extension headers: the _EX types take the header addresses. */
	RUN6(&f, c, V6_S, V6_D);
}

static void test_ipv6_udp_types(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_UDPEX }, { UDP_EX, R_UDPEX }, { UDPV6 | UDP_EX, R_UDPEX },
		{ UDP_EX | IPV6, R_UDPEX }, { UDPV6, R_UDPV6 },
		{ UDPV6 | IP_EX | TCP_EX, R_UDPV6 },
		{ IPV6 | TCPV6, R_IPV6 }, { IP_EX | TCPV6 | TCP_EX, R_IPEX },
		{ TCPV6 | TCP_EX, R_NONE }, { V4_ALL, R_NONE }, { 0, R_NONE },
	};
	struct fb f;

	(void)state;
	v6_start(&f, NH_UDP);
	fb_l4(&f, NH_UDP);
	RUN6(&f, c, V6_S, V6_D);
}

static void test_ipv6_no_l4_protocols(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_IPEX }, { IPV6 | TCPV6 | UDPV6, R_IPV6 },
		{ IP_EX, R_IPEX }, { TCPV6 | UDPV6 | TCP_EX | UDP_EX, R_NONE },
	};
	static const uint8_t nh[] = { NH_ICMP6, NH_ESP, NH_NONE, NH_MH, 4, 41,
				      103, 132, 253, 255 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nh); i++) {
		v6_start(&f, nh[i]);
		fb_tcp(&f, SPORT, DPORT);	/* looks like TCP, is not */
		RUN6(&f, c, V6_S, V6_D);
	}
}

/* ---- IPv6 extension headers ---- */

static void test_ipv6_ex_addresses(void **state)
{
	static const struct tcase tcp[] = {
		{ ALL, R_TCPEX }, { TCP_EX, R_TCPEX }, { TCPV6 | TCP_EX, R_TCPEX },
		{ TCP_EX | IPV6, R_TCPEX }, { TCPV6, R_TCPV6 },
		{ TCPV6 | IP_EX, R_TCPV6 }, { TCPV6 | IP_EX | UDP_EX, R_TCPV6 },
		{ IP_EX, R_IPEX }, { IPV6 | IP_EX, R_IPEX },
		{ UDP_EX | UDPV6 | IP_EX, R_IPEX }, { IPV6, R_IPV6 },
		{ UDP_EX | IPV6, R_IPV6 }, { UDP_EX, R_NONE },
	};
	static const struct tcase udp[] = {
		{ ALL, R_UDPEX }, { UDP_EX, R_UDPEX }, { UDPV6, R_UDPV6 },
		{ UDPV6 | IP_EX, R_UDPV6 }, { TCP_EX | IP_EX, R_IPEX },
		{ TCP_EX | IPV6, R_IPV6 },
	};
	struct fb f;

	(void)state;
	/* DestOpts(HAO) + Type 2 Routing: both addresses replaced. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	RUN6(&f, tcp, V6_H, V6_R);

	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_UDP, V6_R);
	fb_l4(&f, NH_UDP);
	RUN6(&f, udp, V6_H, V6_R);

	/* Routing header first (the RFC 6275 order), then DestOpts. */
	v6_start(&f, NH_HBH);
	fb_opts_pad(&f, NH_RT, 0);
	fb_rt2(&f, NH_DST, V6_R);
	fb_dst_hao(&f, NH_TCP, V6_H);
	fb_l4(&f, NH_TCP);
	RUN6(&f, tcp, V6_H, V6_R);

	/* Only one of them. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_TCP, V6_H);
	fb_l4(&f, NH_TCP);
	RUN6(&f, tcp, V6_H, V6_D);
	v6_start(&f, NH_RT);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	RUN6(&f, tcp, V6_S, V6_R);
	v6_start(&f, NH_RT);
	fb_rt2(&f, NH_UDP, V6_R);
	fb_l4(&f, NH_UDP);
	RUN6(&f, udp, V6_S, V6_R);
	/* A packet with no L4 header: IP_EX with both. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_ICMP6, V6_R);
	fb_l4(&f, NH_ICMP6);
	CHECK6(&f, ALL, R_IPEX, V6_H, V6_R);
	CHECK6(&f, IPV6 | TCPV6, R_IPV6, V6_H, V6_R);
}

static void test_ipv6_routing_not_type2(void **state)
{
	struct fb f;

	(void)state;
	/* Routing type 2 but hdr_ext_len 4: the address is not used. */
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 4, 2, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	CHECK6(&f, IP_EX, R_IPEX, V6_S, V6_D);
	/* hdr_ext_len 2 but routing types 0, 1, 3, 4, 0xff. */
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 0, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 1, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_UDP, 2, 3, 1, V6_R);
	fb_l4(&f, NH_UDP);
	CHECK6(&f, ALL, R_UDPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 4, 0, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, IP_EX, R_IPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 0xff, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* Type 2 with hdr_ext_len 0, 1, 3. */
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 0, 2, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 1, 2, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 3, 2, 1, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* Segments Left is not checked: 0 and 255 still replace. */
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 2, 0, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_R);
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_TCP, 2, 2, 255, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_R);
}

static void test_ipv6_first_wins(void **state)
{
	uint8_t opts[64];
	struct fb f;

	(void)state;
	/* Two Type 2 Routing headers. */
	v6_start(&f, NH_RT);
	fb_rt2(&f, NH_RT, V6_R);
	fb_rt2(&f, NH_TCP, V6_R2);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_R);
	/* A non-type-2 routing header does not count as the first. */
	v6_start(&f, NH_RT);
	fb_routing(&f, NH_RT, 2, 0, 1, V6_R2);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_R);
	/* Two DestOpts headers with a HAO each. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_DST, V6_H);
	fb_dst_hao(&f, NH_TCP, V6_H2);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	/* Two HAOs in one header. */
	opts[0] = 0xc9;
	opts[1] = 16;
	memcpy(opts + 2, V6_H, 16);
	opts[18] = 0xc9;
	opts[19] = 16;
	memcpy(opts + 20, V6_H2, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 4, opts, 36);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	/* A DestOpts without HAO does not stop a later one. */
	v6_start(&f, NH_DST);
	fb_opts_pad(&f, NH_DST, 1);
	fb_dst_hao(&f, NH_TCP, V6_H2);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H2, V6_D);
}

static void test_ipv6_hao_option_walk(void **state)
{
	uint8_t o[64];
	struct fb f;

	(void)state;
	/* Type 0xC9 with length 8 is no HAO; the following one is. */
	memset(o, 0, sizeof(o));
	o[0] = 0xc9;
	o[1] = 8;
	memset(o + 2, 0x33, 8);
	o[10] = 0xc9;
	o[11] = 16;
	memcpy(o + 12, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 3, o, 28);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	/* Type 0xC9 with length 18 or 15 is no HAO. */
	o[0] = 0xc9;
	o[1] = 18;
	memcpy(o + 2, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 2, o, 20);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	o[1] = 15;
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 2, o, 17);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* PadN and an unknown option before the HAO are skipped. */
	memset(o, 0, sizeof(o));
	o[0] = 1;
	o[1] = 3;		/* PadN, 3 bytes */
	o[5] = 0x1e;
	o[6] = 2;
	o[7] = 0xc9;		/* data of the unknown option */
	o[8] = 16;
	o[9] = 0xc9;
	o[10] = 16;
	memcpy(o + 11, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 3, o, 27);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	CHECK6(&f, IP_EX, R_IPEX, V6_H, V6_D);
	/* Pad1 bytes before the HAO. */
	memset(o, 0, sizeof(o));
	o[3] = 0xc9;
	o[4] = 16;
	memcpy(o + 5, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_UDP, 2, o, 21);
	fb_l4(&f, NH_UDP);
	CHECK6(&f, ALL, R_UDPEX, V6_H, V6_D);
}

static void test_ipv6_hao_option_limit(void **state)
{
	uint8_t o[80];
	struct fb f;
	size_t n, i;

	(void)state;
	/* 15 Pad1 options, the HAO is the 16th: found. */
	memset(o, 0, sizeof(o));
	n = 15;
	o[n] = 0xc9;
	o[n + 1] = 16;
	memcpy(o + n + 2, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 4, o, n + 18);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	/* 16 Pad1: the HAO would be the 17th, not examined. */
	memset(o, 0, sizeof(o));
	n = 16;
	o[n] = 0xc9;
	o[n + 1] = 16;
	memcpy(o + n + 2, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_TCP, 4, o, n + 18);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* The same with 15 / 16 empty PadN options. */
	for (n = 15; n <= 16; n++) {
		memset(o, 0, sizeof(o));
		for (i = 0; i < n; i++)
			o[2 * i] = 1;
		o[2 * n] = 0xc9;
		o[2 * n + 1] = 16;
		memcpy(o + 2 * n + 2, V6_H, 16);
		v6_start(&f, NH_DST);
		fb_opts_raw(&f, NH_TCP, 6, o, 2 * n + 18);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_TCPEX, n == 15 ? V6_H : V6_S, V6_D);
	}
	/* The limit is per header: a second DestOpts starts again. */
	memset(o, 0, sizeof(o));
	o[16] = 0xc9;
	o[17] = 16;
	memcpy(o + 18, V6_H, 16);
	v6_start(&f, NH_DST);
	fb_opts_raw(&f, NH_DST, 4, o, 34);
	fb_dst_hao(&f, NH_TCP, V6_H2);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H2, V6_D);
}

static void test_ipv6_option_past_end(void **state)
{
	struct fb f;

	(void)state;
	/* A 16-byte DestOpts whose HAO runs 4 bytes past its end. */
	v6_start(&f, NH_DST);
	fb_u8(&f, NH_TCP);
	fb_u8(&f, 1);
	fb_u8(&f, 0xc9);
	fb_u8(&f, 16);
	fb_bytes(&f, V6_H, 12);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	CHECK6(&f, IP_EX, R_IPEX, V6_S, V6_D);
	/*
	 * An option type in the last byte of a header: its length byte is
	 * the next header's first byte (16), its "data" the next header.
	 */
	v6_start(&f, NH_DST);
	fb_u8(&f, NH_DST);
	fb_u8(&f, 0);
	fb_u8(&f, 1);
	fb_u8(&f, 3);
	fb_fill(&f, 0, 3);
	fb_u8(&f, 0xc9);
	fb_u8(&f, 16);		/* next header 16: ends the walk */
	fb_u8(&f, 1);
	fb_bytes(&f, V6_H, 14);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_IPEX, V6_S, V6_D);
	/* A PadN running past the end stops the walk; L4 still found. */
	v6_start(&f, NH_DST);
	fb_u8(&f, NH_TCP);
	fb_u8(&f, 0);
	fb_u8(&f, 1);
	fb_u8(&f, 200);
	fb_fill(&f, 0, 4);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
}

static void test_ipv6_hao_outside_destopts(void **state)
{
	static const uint8_t pre[4] = { 1, 2, 0, 0 };
	uint8_t o[24];
	struct fb f;

	(void)state;
	memcpy(o, pre, 4);
	o[4] = 0xc9;
	o[5] = 16;
	memcpy(o + 6, V6_H, 16);
	/* In a Hop-by-Hop header it is not a Home Address. */
	v6_start(&f, NH_HBH);
	fb_opts_raw(&f, NH_TCP, 2, o, 22);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* Nor in a routing header of another type. */
	v6_start(&f, NH_RT);
	fb_opts_raw(&f, NH_TCP, 2, o, 22);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
}

static void test_ipv6_fragment_header(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_IPEX }, { IPV6 | TCPV6 | UDPV6, R_IPV6 },
		{ TCPV6 | TCP_EX | UDPV6 | UDP_EX, R_NONE },
	};
	struct fb f;

	(void)state;
	/* Atomic fragment (offset 0, M 0) is still a Fragment header. */
	v6_start(&f, NH_FRAG);
	fb_frag(&f, NH_TCP, 0, 0);
	fb_l4(&f, NH_TCP);
	RUN6(&f, c, V6_S, V6_D);
	v6_start(&f, NH_FRAG);
	fb_frag(&f, NH_UDP, 0, 1);
	fb_l4(&f, NH_UDP);
	RUN6(&f, c, V6_S, V6_D);
	v6_start(&f, NH_FRAG);
	fb_frag(&f, NH_TCP, 100, 0);
	fb_l4(&f, NH_TCP);
	RUN6(&f, c, V6_S, V6_D);
	/* Anywhere in the chain; addresses before and after still count. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_FRAG, V6_H);
	fb_frag(&f, NH_RT, 0, 1);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	RUN6(&f, c, V6_H, V6_R);
	v6_start(&f, NH_HBH);
	fb_opts_pad(&f, NH_DST, 0);
	fb_opts_pad(&f, NH_FRAG, 1);
	fb_frag(&f, NH_UDP, 0, 0);
	fb_l4(&f, NH_UDP);
	RUN6(&f, c, V6_S, V6_D);
}

static void test_ipv6_ah(void **state)
{
	struct fb f;

	(void)state;
	/* AH length is (payload_len + 2) * 4: 12 bytes for 1. */
	v6_start(&f, NH_AH);
	fb_ah(&f, NH_TCP, 1);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	CHECK6(&f, TCPV6, R_TCPV6, V6_S, V6_D);
	v6_start(&f, NH_AH);
	fb_ah(&f, NH_UDP, 4);
	fb_l4(&f, NH_UDP);
	CHECK6(&f, ALL, R_UDPEX, V6_S, V6_D);
	v6_start(&f, NH_AH);
	fb_ah(&f, NH_TCP, 7);		/* 36 bytes: not a multiple of 8 */
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* payload_len 0: 8 bytes. */
	v6_start(&f, NH_AH);
	fb_u8(&f, NH_TCP);
	fb_u8(&f, 0);
	fb_be16(&f, 0);
	fb_be32(&f, 0x100);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	/* AH then DestOpts(HAO), and AH after a routing header. */
	v6_start(&f, NH_AH);
	fb_ah(&f, NH_DST, 4);
	fb_dst_hao(&f, NH_TCP, V6_H);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_H, V6_D);
	v6_start(&f, NH_RT);
	fb_rt2(&f, NH_AH, V6_R);
	fb_ah(&f, NH_UDP, 1);
	fb_l4(&f, NH_UDP);
	CHECK6(&f, ALL, R_UDPEX, V6_S, V6_R);
}

static void test_ipv6_ext_lengths(void **state)
{
	static const uint8_t lens[] = { 0, 1, 2, 5, 30 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lens); i++) {
		v6_start(&f, NH_HBH);
		fb_opts_pad(&f, NH_TCP, lens[i]);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
		v6_start(&f, NH_DST);
		fb_opts_pad(&f, NH_UDP, lens[i]);
		fb_l4(&f, NH_UDP);
		CHECK6(&f, ALL, R_UDPEX, V6_S, V6_D);
		v6_start(&f, NH_RT);
		fb_routing(&f, NH_TCP, lens[i], 0, 0, V6_R);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
	}
}

static void test_ipv6_esp_stops(void **state)
{
	static const struct tcase c[] = {
		{ ALL, R_IPEX }, { IPV6 | TCPV6 | UDPV6, R_IPV6 },
		{ TCPV6 | TCP_EX | UDPV6 | UDP_EX, R_NONE },
	};
	struct fb f;

	(void)state;
	v6_start(&f, NH_HBH);
	fb_opts_pad(&f, NH_ESP, 0);
	fb_tcp(&f, SPORT, DPORT);	/* ESP payload that looks like TCP */
	RUN6(&f, c, V6_S, V6_D);
	/* Addresses found before the ESP header still count. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_ESP, V6_R);
	fb_be32(&f, 0x100);
	fb_be32(&f, 1);
	/* A Routing header after ESP would be encrypted: not walked. */
	fb_rt2(&f, NH_TCP, V6_R2);
	RUN6(&f, c, V6_H, V6_R);
	/* No Next Header likewise. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_NONE, V6_H);
	fb_tcp(&f, SPORT, DPORT);
	RUN6(&f, c, V6_H, V6_D);
}

/* @n extension headers (HBH first, then DestOpts), then @last. */
static void v6_chain(struct fb *f, size_t n, uint8_t last)
{
	size_t i;

	v6_start(f, NH_HBH);
	for (i = 0; i < n; i++)
		fb_opts_pad(f, i + 1 == n ? last : NH_DST, (uint8_t)(i % 3));
}

static void test_ipv6_chain_limit(void **state)
{
	static const struct tcase cut[] = {
		{ ALL, R_IPEX }, { IPV6 | TCPV6 | UDPV6, R_IPV6 },
		{ TCPV6 | TCP_EX | UDPV6 | UDP_EX, R_NONE },
	};
	struct fb f;
	size_t i;

	(void)state;
	for (i = 1; i <= 8; i++) {
		v6_chain(&f, i, NH_TCP);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_TCPEX, V6_S, V6_D);
		CHECK6(&f, TCPV6, R_TCPV6, V6_S, V6_D);
		v6_chain(&f, i, NH_UDP);
		fb_l4(&f, NH_UDP);
		CHECK6(&f, ALL, R_UDPEX, V6_S, V6_D);
	}
	/* Nine: treated as cut short, whatever the ninth is. */
	v6_chain(&f, 9, NH_TCP);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	v6_chain(&f, 9, NH_UDP);
	fb_l4(&f, NH_UDP);
	RUN6(&f, cut, V6_S, V6_D);
	v6_chain(&f, 8, NH_FRAG);
	fb_frag(&f, NH_TCP, 0, 0);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	v6_chain(&f, 8, NH_AH);
	fb_ah(&f, NH_TCP, 1);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	/* A ninth header that is cut short as well. */
	v6_chain(&f, 8, NH_DST);
	fb_u8(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	/* Eight, then ESP: the walk ends there, no L4 header either. */
	v6_chain(&f, 8, NH_ESP);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	/* A Type 2 Routing header as the ninth is not used ... */
	v6_chain(&f, 8, NH_RT);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_S, V6_D);
	/* ... as the eighth it is. */
	v6_chain(&f, 7, NH_RT);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	CHECK6(&f, ALL, R_TCPEX, V6_S, V6_R);
	/* Addresses found in the first eight of a too-long chain count. */
	v6_start(&f, NH_DST);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_DST, V6_R);
	for (i = 0; i < 7; i++)
		fb_opts_pad(&f, i == 6 ? NH_TCP : NH_DST, 0);
	fb_l4(&f, NH_TCP);
	RUN6(&f, cut, V6_H, V6_R);
}

/* ---- Ethernet and tun ---- */

static void test_eth_tiny(void **state)
{
	uint8_t zero[14] = { 0 };
	struct fb f;
	size_t len;

	(void)state;
	v4_frame(&f, 5, NH_TCP, 0);
	for (len = 0; len < 14; len++) {
		EXPECT_NONE(zero, len, ALL);
		EXPECT_NONE(f.d, len, ALL);
	}
	/* EtherType alone, nothing behind it. */
	EXPECT_NONE(f.d, 14, ALL);
}

static void test_eth_vlan(void **state)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		fb_init(&f);
		fb_eth(&f, tpids[i]);
		fb_vlan(&f, 0x0123, 0x0800);
		fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
		fb_l4(&f, NH_TCP);
		CHECK4(&f, ALL, R_TCPV4);
		CHECK4(&f, IPV4, R_IPV4);
		CHECK4_LEN(&f, 18 + 20 + 19, ALL, R_IPV4);
		CHECK4_LEN(&f, 18 + 19, ALL, R_NONE);

		fb_init(&f);
		fb_eth(&f, tpids[i]);
		fb_vlan(&f, 0xffff, 0x86dd);
		fb_ipv6(&f, NH_DST, V6_S, V6_D);
		fb_dst_hao(&f, NH_UDP, V6_H);
		fb_l4(&f, NH_UDP);
		CHECK6(&f, ALL, R_UDPEX, V6_H, V6_D);
		CHECK6(&f, UDPV6, R_UDPV6, V6_H, V6_D);
	}
}

static void test_eth_qinq(void **state)
{
	static const uint16_t outer[] = { 0x88a8, 0x8100, 0x88a8, 0x8100 };
	static const uint16_t inner[] = { 0x8100, 0x8100, 0x88a8, 0x88a8 };
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		fb_init(&f);
		fb_eth(&f, outer[i]);
		fb_vlan(&f, 100, inner[i]);
		fb_vlan(&f, 200, 0x0800);
		fb_ipv4(&f, 6, NH_TCP, 0, V4_S, V4_D);
		fb_l4(&f, NH_TCP);
		CHECK4(&f, ALL, R_TCPV4);
		CHECK4_LEN(&f, 22 + 24 + 19, ALL, R_IPV4);

		fb_init(&f);
		fb_eth(&f, outer[i]);
		fb_vlan(&f, 100, inner[i]);
		fb_vlan(&f, 200, 0x86dd);
		fb_ipv6(&f, NH_DST, V6_S, V6_D);
		fb_dst_hao(&f, NH_RT, V6_H);
		fb_rt2(&f, NH_TCP, V6_R);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_TCPEX, V6_H, V6_R);
		CHECK6(&f, TCPV6, R_TCPV6, V6_H, V6_R);
	}
}

static void test_eth_three_tags(void **state)
{
	static const uint16_t t3[][3] = {
		{ 0x88a8, 0x8100, 0x8100 }, { 0x8100, 0x8100, 0x8100 },
		{ 0x88a8, 0x88a8, 0x88a8 }, { 0x8100, 0x88a8, 0x8100 },
	};
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(t3); i++) {
		fb_init(&f);
		fb_eth(&f, t3[i][0]);
		fb_vlan(&f, 1, t3[i][1]);
		fb_vlan(&f, 2, t3[i][2]);
		fb_vlan(&f, 3, 0x0800);
		fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
		fb_l4(&f, NH_TCP);
		CHECK4(&f, ALL, R_NONE);
		fb_init(&f);
		fb_eth(&f, t3[i][0]);
		fb_vlan(&f, 1, t3[i][1]);
		fb_vlan(&f, 2, t3[i][2]);
		fb_vlan(&f, 3, 0x86dd);
		fb_ipv6(&f, NH_TCP, V6_S, V6_D);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_NONE, NULL, NULL);
	}
}

static void test_eth_tag_cut(void **state)
{
	struct fb f;
	size_t len;

	(void)state;
	fb_init(&f);
	fb_eth(&f, 0x8100);
	fb_vlan(&f, 5, 0x88a8);
	fb_vlan(&f, 6, 0x0800);
	fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
	fb_l4(&f, NH_TCP);
	for (len = 14; len < 22 + 20; len++)
		CHECK4_LEN(&f, len, ALL, R_NONE);
	CHECK4_LEN(&f, 22 + 20, ALL, R_IPV4);
}

static void test_eth_non_ip(void **state)
{
	static const uint16_t types[] = {
		0x0806, 0x0000, 0x0040, 0x05dc, 0x0600, 0x0801, 0x86dc,
		0x86de, 0x8847, 0x88cc, 0x9100, 0x9200, 0xffff, 0x0008,
		0xdd86,
	};
	struct fb f;
	size_t i;

	(void)state;
	for (i = 0; i < NCASES(types); i++) {
		fb_init(&f);
		fb_eth(&f, types[i]);
		fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
		fb_l4(&f, NH_TCP);
		fb_fill(&f, 0, 40);
		CHECK4(&f, ALL, R_NONE);
		fb_init(&f);
		fb_eth(&f, types[i]);
		fb_ipv6(&f, NH_TCP, V6_S, V6_D);
		fb_l4(&f, NH_TCP);
		CHECK6(&f, ALL, R_NONE, NULL, NULL);
		/* A tag in front of a non-IP type. */
		fb_init(&f);
		fb_eth(&f, 0x8100);
		fb_vlan(&f, 7, types[i]);
		fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
		fb_l4(&f, NH_TCP);
		CHECK4(&f, ALL, R_NONE);
	}
}

static void test_l3(void **state)
{
	static const uint16_t not_ip[] = { 0x8100, 0x88a8, 0x0806, 0, 0xffff,
					   0x0008 };
	uint8_t t[36];
	struct fb f;
	size_t i, tl;

	(void)state;
	fb_init(&f);
	fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
	fb_l4(&f, NH_TCP);
	tl = tuple4(t, V4_S, V4_D, 1, SPORT, DPORT);
	EXPECT_L3(0x0800, f.d, f.n, ALL, R_TCPV4, t, tl);
	EXPECT_L3(0x0800, f.d, 39, ALL, R_IPV4, t, 8);
	EXPECT_L3(0x0800, f.d, 19, ALL, R_NONE, NULL, 0);
	EXPECT_L3(0x86dd, f.d, f.n, ALL, R_NONE, NULL, 0);
	for (i = 0; i < NCASES(not_ip); i++)
		EXPECT_L3(not_ip[i], f.d, f.n, ALL, R_NONE, NULL, 0);
	/* IPv4 with a VLAN tag in front is not IP for tun. */
	fb_init(&f);
	fb_vlan(&f, 5, 0x0800);
	fb_ipv4(&f, 5, NH_TCP, 0, V4_S, V4_D);
	fb_l4(&f, NH_TCP);
	EXPECT_L3(0x8100, f.d, f.n, ALL, R_NONE, NULL, 0);

	fb_init(&f);
	fb_ipv6(&f, NH_DST, V6_S, V6_D);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_l4(&f, NH_TCP);
	check6_at(__FILE__, __LINE__, 0x86dd, f.d, f.n, ALL, R_TCPEX, V6_H,
		  V6_R);
	check6_at(__FILE__, __LINE__, 0x86dd, f.d, f.n, TCPV6 | IPV6, R_TCPV6,
		  V6_H, V6_R);
	check6_at(__FILE__, __LINE__, 0x86dd, f.d, 40 + 24 + 24 + 19, ALL,
		  R_IPEX, V6_H, V6_R);
	check6_at(__FILE__, __LINE__, 0x86dd, f.d, 39, ALL, R_NONE, NULL,
		  NULL);
	EXPECT_L3(0x0800, f.d, f.n, ALL, R_NONE, NULL, 0);
	for (i = 0; i < NCASES(not_ip); i++)
		EXPECT_L3(not_ip[i], f.d, f.n, ALL, R_NONE, NULL, 0);
}

static void test_null_args(void **state)
{
	const struct vnh_toeplitz_table *t = ms_table();
	struct vnh_result res = { 1, 1, 1 };
	uint8_t b[64] = { 0 };

	(void)state;
	assert_int_equal(vnh_hash_frame(NULL, ALL, b, 64, &res), -EINVAL);
	assert_int_equal(vnh_hash_frame(t, ALL, b, 64, NULL), -EINVAL);
	assert_int_equal(vnh_hash_frame(t, ALL, NULL, 64, &res), -EINVAL);
	assert_int_equal(vnh_hash_l3(NULL, ALL, 0x0800, b, 64, &res), -EINVAL);
	assert_int_equal(vnh_hash_l3(t, ALL, 0x0800, b, 64, NULL), -EINVAL);
	assert_int_equal(vnh_hash_l3(t, ALL, 0x0800, NULL, 64, &res), -EINVAL);
	res.hash = 7;
	res.report = 3;
	assert_int_equal(vnh_hash_frame(t, ALL, NULL, 0, &res), 0);
	assert_int_equal(res.report, R_NONE);
	assert_int_equal(res.hash, 0);
	res.hash = 7;
	res.report = 3;
	assert_int_equal(vnh_hash_l3(t, ALL, 0x86dd, NULL, 0, &res), 0);
	assert_int_equal(res.report, R_NONE);
	assert_int_equal(res.hash, 0);
}

/* A key shorter than the 36-byte input: missing key bits are zero. */
static void test_short_key(void **state)
{
	static const uint8_t key[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
					 5, 6, 7, 8, 9, 10, 11, 12 };
	struct vnh_toeplitz_table *t = malloc(sizeof(*t));
	struct vnh_result r;
	uint8_t tup[36];
	struct fb f;
	size_t tl;

	(void)state;
	assert_non_null(t);
	assert_int_equal(vnh_toeplitz_table_init(t, key, 16), 0);
	v4_frame(&f, 5, NH_TCP, 0);
	tl = tuple4(tup, V4_S, V4_D, 1, SPORT, DPORT);
	r = hash_exact(t, ALL, -1, f.d, f.n);
	assert_int_equal(r.report, R_TCPV4);
	assert_int_equal(r.hash, vnh_toeplitz(key, 16, tup, tl));
	v6_start(&f, NH_UDP);
	fb_l4(&f, NH_UDP);
	tl = tuple6(tup, V6_S, V6_D, 1, SPORT, DPORT);
	r = hash_exact(t, ALL, -1, f.d, f.n);
	assert_int_equal(r.report, R_UDPEX);
	assert_int_equal(r.hash, vnh_toeplitz(key, 16, tup, tl));
	/* The last 20 input bytes see only zero key bits. */
	assert_int_equal(r.hash, vnh_toeplitz(key, 16, tup, 16));
	free(t);
}

/* ---- Every truncation point ---- */

static void test_trunc_ipv4_tcp(void **state)
{
	struct fb f;
	size_t len;

	(void)state;
	v4_frame(&f, 5, NH_TCP, 0x4000);
	f.n = 14 + 20 + 20;
	for (len = 0; len <= f.n; len++) {
		int want = len < 34 ? R_NONE : len < 54 ? R_IPV4 : R_TCPV4;

		CHECK4_LEN(&f, len, ALL, want);
		CHECK4_LEN(&f, len, TCPV4, want == R_TCPV4 ? R_TCPV4 : R_NONE);
		CHECK4_LEN(&f, len, IPV4 | UDPV4, want == R_NONE ? R_NONE :
			   R_IPV4);
		if (len >= 14)
			check4_at(__FILE__, __LINE__, 0x0800, f.d + 14,
				  len - 14, ALL, want);
	}
}

static void test_trunc_ipv4_udp_options(void **state)
{
	struct fb f;
	size_t len;

	(void)state;
	v4_frame(&f, 7, NH_UDP, 0);
	f.n = 14 + 28 + 8 + 4;
	for (len = 0; len <= f.n; len++) {
		int want = len < 42 ? R_NONE : len < 50 ? R_IPV4 : R_UDPV4;

		CHECK4_LEN(&f, len, ALL, want);
		CHECK4_LEN(&f, len, UDPV4, want == R_UDPV4 ? R_UDPV4 : R_NONE);
		if (len >= 14)
			check4_at(__FILE__, __LINE__, 0x0800, f.d + 14,
				  len - 14, ALL, want);
	}
}

/* eth | IPv6 54 | HBH 62 | DestOpts(HAO) 86 | RT2 110 | TCP 130 | 133 */
static void test_trunc_ipv6_chain(void **state)
{
	struct fb f;
	size_t len;

	(void)state;
	v6_start(&f, NH_HBH);
	fb_opts_pad(&f, NH_DST, 0);
	fb_dst_hao(&f, NH_RT, V6_H);
	fb_rt2(&f, NH_TCP, V6_R);
	fb_tcp(&f, SPORT, DPORT);
	fb_fill(&f, 0x5a, 3);
	assert_int_equal(f.n, 133);
	for (len = 0; len <= f.n; len++) {
		const uint8_t *s = len >= 86 ? V6_H : V6_S;
		const uint8_t *d = len >= 110 ? V6_R : V6_D;
		static const int ets[2] = { -1, 0x86dd };	/* tap, tun */
		size_t k;

		for (k = 0; k < 2; k++) {
			int et = ets[k];
			size_t off = et < 0 ? 0 : 14;

			if (len < off)
				continue;
			if (len < 54) {
				check6_at(__FILE__, __LINE__, et, f.d + off,
					  len - off, ALL, R_NONE, NULL, NULL);
				continue;
			}
			check6_at(__FILE__, __LINE__, et, f.d + off, len - off,
				  ALL, len < 130 ? R_IPEX : R_TCPEX, s, d);
			check6_at(__FILE__, __LINE__, et, f.d + off, len - off,
				  TCPV6 | IPV6,
				  len < 130 ? R_IPV6 : R_TCPV6, s, d);
			check6_at(__FILE__, __LINE__, et, f.d + off, len - off,
				  TCPV6 | IP_EX,
				  len < 130 ? R_IPEX : R_TCPV6, s, d);
			check6_at(__FILE__, __LINE__, et, f.d + off, len - off,
				  TCP_EX, len < 130 ? R_NONE : R_TCPEX, s, d);
		}
	}
}

/* eth 88a8 | tag 8100 | tag 86dd 22 | IPv6 62 | UDP 70 | payload 75 */
static void test_trunc_qinq_ipv6_udp(void **state)
{
	struct fb f;
	size_t len;

	(void)state;
	fb_init(&f);
	fb_eth(&f, 0x88a8);
	fb_vlan(&f, 100, 0x8100);
	fb_vlan(&f, 200, 0x86dd);
	fb_ipv6(&f, NH_UDP, V6_S, V6_D);
	fb_udp(&f, SPORT, DPORT);
	fb_fill(&f, 0x5a, 5);
	assert_int_equal(f.n, 75);
	for (len = 0; len <= f.n; len++) {
		int want = len < 62 ? R_NONE : len < 70 ? R_IPEX : R_UDPEX;

		CHECK6_LEN(&f, len, ALL, want, V6_S, V6_D);
		CHECK6_LEN(&f, len, UDPV6 | IPV6,
			   want == R_NONE ? R_NONE :
			   want == R_IPEX ? R_IPV6 : R_UDPV6, V6_S, V6_D);
	}
}

static void test_all_reports_seen(void **state)
{
	(void)state;
	/* Every report type 0..9 was produced (and checked) above. */
	assert_int_equal(reports_seen, (1u << (VNH_REPORT_MAX + 1)) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_tcp_types),
		cmocka_unit_test(test_ipv4_udp_types),
		cmocka_unit_test(test_ipv4_other_proto),
		cmocka_unit_test(test_ipv4_options),
		cmocka_unit_test(test_ipv4_bad_ihl),
		cmocka_unit_test(test_ipv4_fragments),
		cmocka_unit_test(test_ipv4_total_length_ignored),
		cmocka_unit_test(test_version_mismatch),
		cmocka_unit_test(test_ipv6_tcp_types),
		cmocka_unit_test(test_ipv6_udp_types),
		cmocka_unit_test(test_ipv6_no_l4_protocols),
		cmocka_unit_test(test_ipv6_ex_addresses),
		cmocka_unit_test(test_ipv6_routing_not_type2),
		cmocka_unit_test(test_ipv6_first_wins),
		cmocka_unit_test(test_ipv6_hao_option_walk),
		cmocka_unit_test(test_ipv6_hao_option_limit),
		cmocka_unit_test(test_ipv6_option_past_end),
		cmocka_unit_test(test_ipv6_hao_outside_destopts),
		cmocka_unit_test(test_ipv6_fragment_header),
		cmocka_unit_test(test_ipv6_ah),
		cmocka_unit_test(test_ipv6_ext_lengths),
		cmocka_unit_test(test_ipv6_esp_stops),
		cmocka_unit_test(test_ipv6_chain_limit),
		cmocka_unit_test(test_eth_tiny),
		cmocka_unit_test(test_eth_vlan),
		cmocka_unit_test(test_eth_qinq),
		cmocka_unit_test(test_eth_three_tags),
		cmocka_unit_test(test_eth_tag_cut),
		cmocka_unit_test(test_eth_non_ip),
		cmocka_unit_test(test_l3),
		cmocka_unit_test(test_null_args),
		cmocka_unit_test(test_short_key),
		cmocka_unit_test(test_trunc_ipv4_tcp),
		cmocka_unit_test(test_trunc_ipv4_udp_options),
		cmocka_unit_test(test_trunc_ipv6_chain),
		cmocka_unit_test(test_trunc_qinq_ipv6_udp),
		cmocka_unit_test(test_all_reports_seen),
	};

	return cmocka_run_group_tests_name("hash", tests, NULL, NULL);
}
