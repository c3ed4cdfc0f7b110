// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Frames for `vnethash verify` and `vnethash demo`: lists of frames, read
 * from a capture or built as the demo's synthetic traffic.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"
#include "tool.h"

/* ------------------------------------------------------------------ */
/* frame lists */

void frames_init(struct frame_list *fl)
{
	memset(fl, 0, sizeof(*fl));
}

void frames_free(struct frame_list *fl)
{
	size_t i;

	for (i = 0; i < fl->n; i++)
		free(fl->data[i]);
	free(fl->data);
	free(fl->len);
	frames_init(fl);
}

int frames_add(struct frame_list *fl, const void *data, size_t len)
{
	uint8_t *copy;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 256;
		uint8_t **d = realloc(fl->data, cap * sizeof(*d));
		uint32_t *l;

		if (!d)
			return -ENOMEM;
		fl->data = d;
		l = realloc(fl->len, cap * sizeof(*l));
		if (!l)
			return -ENOMEM;
		fl->len = l;
		fl->cap = cap;
	}
	copy = malloc(len ? len : 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	fl->data[fl->n] = copy;
	fl->len[fl->n] = (uint32_t)len;
	fl->n++;
	return 0;
}

int frames_load_pcap(struct frame_list *fl, const char *path)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *hdr;
	const u_char *data;
	pcap_t *pcap;
	int rc;

	pcap = pcap_open_offline(path, errbuf);
	if (!pcap) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path, errbuf);
		return -1;
	}
	if (pcap_datalink(pcap) != DLT_EN10MB) {
		fprintf(stderr, "%s: %s: link type %s: a tap carries Ethernet frames; only Ethernet captures can be sent\n",
			prog_name, path,
			pcap_datalink_val_to_name(pcap_datalink(pcap)) ?: "unknown");
		pcap_close(pcap);
		return -1;
	}
	while ((rc = pcap_next_ex(pcap, &hdr, &data)) == 1) {
		if (hdr->caplen > FRAME_MAX) {
			fprintf(stderr, "%s: %s: frame %zu has %u bytes, more than %d\n",
				prog_name, path, fl->n + 1, hdr->caplen,
				FRAME_MAX);
			pcap_close(pcap);
			return -1;
		}
		if (frames_add(fl, data, hdr->caplen)) {
			fprintf(stderr, "%s: out of memory\n", prog_name);
			pcap_close(pcap);
			return -1;
		}
	}
	if (rc == PCAP_ERROR) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, path,
			pcap_geterr(pcap));
		pcap_close(pcap);
		return -1;
	}
	pcap_close(pcap);
	return 0;
}

/* ------------------------------------------------------------------ */
/* synthetic traffic */

const char *const frame_kind_name[FK_COUNT] = {
	[FK_TCP4] = "IPv4 TCP",
	[FK_UDP4] = "IPv4 UDP",
	[FK_TCP6] = "IPv6 TCP",
	[FK_UDP6] = "IPv6 UDP",
	[FK_VLAN] = "802.1Q VLAN, IPv4 TCP",
	[FK_QINQ] = "QinQ VLAN, IPv6 UDP",
	[FK_EXT6] = "IPv6 ext. headers, TCP",
	[FK_FRAG4] = "IPv4 fragment",
	[FK_FRAG6] = "IPv6 fragment",
	[FK_OTHER4] = "IPv4 ICMP",
	[FK_NONIP] = "non-IP (ARP, LLDP)",
};

struct fb {
	uint8_t b[256];
	size_t n;
};

static void put(struct fb *f, const void *p, size_t len)
{
	memcpy(f->b + f->n, p, len);
	f->n += len;
}

static void put8(struct fb *f, unsigned int v)
{
	f->b[f->n++] = (uint8_t)v;
}

static void put16(struct fb *f, unsigned int v)
{
	put8(f, v >> 8);
	put8(f, v);
}

static void put32(struct fb *f, uint32_t v)
{
	put16(f, v >> 16);
	put16(f, v & 0xffff);
}

static void eth_hdr(struct fb *f, unsigned int ethertype)
{
	static const uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	static const uint8_t src[6] = { 0x02, 0, 0, 0, 0, 0x02 };

	f->n = 0;
	put(f, dst, 6);
	put(f, src, 6);
	put16(f, ethertype);
}

static void fix_ipv4_csum(uint8_t *h)
{
	uint32_t s = 0;
	int i;

	h[10] = h[11] = 0;
	for (i = 0; i < 20; i += 2)
		s += (uint32_t)(h[i] << 8 | h[i + 1]);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	h[10] = (uint8_t)(s >> 8);
	h[11] = (uint8_t)s;
}

/* IPv4 header; returns its offset so the length can be fixed up. */
static size_t ipv4_hdr(struct fb *f, uint32_t src, uint32_t dst,
		       unsigned int proto, unsigned int frag)
{
	size_t at = f->n;

	put8(f, 0x45);
	put8(f, 0);
	put16(f, 0);		/* total length, fixed later */
	put16(f, 0x1234);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, src);
	put32(f, dst);
	return at;
}

static void ipv4_done(struct fb *f, size_t at)
{
	size_t len = f->n - at;

	f->b[at + 2] = (uint8_t)(len >> 8);
	f->b[at + 3] = (uint8_t)len;
	fix_ipv4_csum(f->b + at);
}

static void addr6(uint8_t a[16], unsigned int net, uint32_t host)
{
	memset(a, 0, 16);
	a[0] = 0x20;
	a[1] = 0x01;
	a[2] = 0x0d;
	a[3] = 0xb8;
	a[5] = (uint8_t)net;
	a[12] = (uint8_t)(host >> 24);
	a[13] = (uint8_t)(host >> 16);
	a[14] = (uint8_t)(host >> 8);
	a[15] = (uint8_t)host;
}

static size_t ipv6_hdr(struct fb *f, const uint8_t src[16],
		       const uint8_t dst[16], unsigned int nh)
{
	size_t at = f->n;

	put32(f, 0x60000000);
	put16(f, 0);		/* payload length, fixed later */
	put8(f, nh);
	put8(f, 64);
	put(f, src, 16);
	put(f, dst, 16);
	return at;
}

static void ipv6_done(struct fb *f, size_t at)
{
	size_t len = f->n - at - 40;

	f->b[at + 4] = (uint8_t)(len >> 8);
	f->b[at + 5] = (uint8_t)len;
}

static void tcp_hdr(struct fb *f, unsigned int sport, unsigned int dport,
		    uint32_t seq)
{
	put16(f, sport);
	put16(f, dport);
	put32(f, seq);
	put32(f, 0);
	put8(f, 5 << 4);
	put8(f, 0x18);		/* PSH ACK */
	put16(f, 65535);
	put32(f, 0);		/* checksum (not checked), urgent */
	put(f, "vnethash", 8);
}

static void udp_hdr(struct fb *f, unsigned int sport, unsigned int dport)
{
	put16(f, sport);
	put16(f, dport);
	put16(f, 8 + 8);
	put16(f, 0);
	put(f, "vnethash", 8);
}

static uint32_t rnd_state = 0x2545f491;

static uint32_t rnd(void)
{
	/* xorshift32: deterministic traffic, the same on every run */
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* One frame of @kind for flow @flow, packet @pkt of that flow. */
static void build(struct fb *f, enum frame_kind kind, unsigned int flow,
		  unsigned int pkt)
{
	uint32_t s4 = 0x0a000001 + flow * 7, d4 = 0xc0a80001 + flow * 13;
	unsigned int sport = 10000 + flow * 101, dport = 80 + flow % 7;
	uint8_t s6[16], d6[16], hoa[16], rt[16];
	size_t at;

	addr6(s6, 1, 0x100 + flow);
	addr6(d6, 2, 0x200 + flow * 3);
	switch (kind) {
	case FK_TCP4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 6, 0x4000);
		tcp_hdr(f, sport, dport, pkt * 1000);
		ipv4_done(f, at);
		break;
	case FK_UDP4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 17, 0);
		udp_hdr(f, sport, 53 + flow % 3);
		ipv4_done(f, at);
		break;
	case FK_TCP6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 6);
		tcp_hdr(f, sport, 443, pkt * 1000);
		ipv6_done(f, at);
		break;
	case FK_UDP6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 17);
		udp_hdr(f, sport, 4789);
		ipv6_done(f, at);
		break;
	case FK_VLAN:
		eth_hdr(f, 0x8100);
		put16(f, 100 + flow % 4);
		put16(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 6, 0x4000);
		tcp_hdr(f, sport, 22, pkt);
		ipv4_done(f, at);
		break;
	case FK_QINQ:
		eth_hdr(f, 0x88a8);
		put16(f, 10);
		put16(f, 0x8100);
		put16(f, 200 + flow % 4);
		put16(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 17);
		udp_hdr(f, sport, 5353);
		ipv6_done(f, at);
		break;
	case FK_EXT6:
		/* Hop-by-Hop, Destination Options with a Home Address, a
		 * Type 2 Routing header, then TCP: TCPv6_EX hashes the home
		 * address and the routing header's address. */
		addr6(hoa, 9, 0x900 + flow);
		addr6(rt, 8, 0x800 + flow);
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 0);
		put8(f, 60);	/* HBH: next = DST opts */
		put8(f, 0);
		put8(f, 1);	/* PadN, 4 bytes */
		put8(f, 4);
		put32(f, 0);
		put8(f, 43);	/* DST opts: next = Routing */
		put8(f, 2);	/* 24 bytes */
		put8(f, 1);	/* PadN 2 */
		put8(f, 0);
		put8(f, 201);	/* Home Address */
		put8(f, 16);
		put(f, hoa, 16);
		put8(f, 1);	/* PadN 0 -> total 2+2+18+2 = 24 */
		put8(f, 0);
		put8(f, 6);	/* Routing type 2: next = TCP */
		put8(f, 2);
		put8(f, 2);
		put8(f, 1);
		put32(f, 0);
		put(f, rt, 16);
		tcp_hdr(f, sport, 8080, pkt);
		ipv6_done(f, at);
		break;
	case FK_FRAG4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 17, pkt & 1 ? 0x2000 : 185);
		udp_hdr(f, sport, 53);
		ipv4_done(f, at);
		break;
	case FK_FRAG6:
		eth_hdr(f, 0x86dd);
		at = ipv6_hdr(f, s6, d6, 44);
		put8(f, 17);
		put8(f, 0);
		put16(f, pkt & 1 ? 1 : 0x100 << 3);
		put32(f, 0xabcd0000 + flow);
		udp_hdr(f, sport, 53);
		ipv6_done(f, at);
		break;
	case FK_OTHER4:
		eth_hdr(f, 0x0800);
		at = ipv4_hdr(f, s4, d4, 1, 0);
		put8(f, 8);	/* echo request */
		put8(f, 0);
		put16(f, 0);
		put16(f, flow);
		put16(f, pkt);
		ipv4_done(f, at);
		break;
	case FK_NONIP:
		if (pkt & 1) {
			eth_hdr(f, 0x88cc);	/* LLDP */
			put16(f, 0x0207);
			put8(f, 4);
			put32(f, rnd());
			put16(f, flow);
		} else {
			eth_hdr(f, 0x0806);	/* ARP request */
			put16(f, 1);
			put16(f, 0x0800);
			put8(f, 6);
			put8(f, 4);
			put16(f, 1);
			put(f, f->b + 6, 6);
			put32(f, s4);
			put32(f, 0);
			put16(f, 0);
			put32(f, d4);
		}
		break;
	default:
		f->n = 0;
	}
	/* Ethernet minimum frame size, as a NIC would pad. */
	while (f->n < 60)
		put8(f, 0);
}

/* Frames per flow: more for the plain TCP/UDP kinds. */
static unsigned int kind_frames(int k)
{
	return k <= FK_UDP6 ? 4 : 2;
}

int frames_synthesize(struct frame_list *fl, unsigned int flows,
		      uint8_t **kinds_out)
{
	unsigned int fl_i, p;
	uint8_t *kinds;
	size_t i, idx = 0;
	int k;

	for (fl_i = 0; fl_i < flows; fl_i++) {
		for (k = 0; k < FK_COUNT; k++) {
			for (p = 0; p < kind_frames(k); p++) {
				struct fb f;

				build(&f, (enum frame_kind)k, fl_i, p);
				if (frames_add(fl, f.b, f.n))
					return -ENOMEM;
			}
		}
	}
	/* Interleave the flows as a real link would: shuffle. */
	kinds = malloc(fl->n);
	if (!kinds)
		return -ENOMEM;
	for (fl_i = 0; fl_i < flows; fl_i++)
		for (k = 0; k < FK_COUNT; k++)
			for (p = 0; p < kind_frames(k); p++)
				kinds[idx++] = (uint8_t)k;
	for (i = fl->n; i > 1; i--) {
		size_t j = rnd() % i;
		uint8_t *d = fl->data[i - 1], kk = kinds[i - 1];
		uint32_t l = fl->len[i - 1];

		fl->data[i - 1] = fl->data[j];
		fl->len[i - 1] = fl->len[j];
		kinds[i - 1] = kinds[j];
		fl->data[j] = d;
		fl->len[j] = l;
		kinds[j] = kk;
	}
	*kinds_out = kinds;
	return 0;
}
