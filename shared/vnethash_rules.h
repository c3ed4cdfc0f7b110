/* SPDX-License-Identifier: (GPL-2.0-only OR LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_rules.h - the virtio-net hash rules, the one source of truth.
 *
 * This file is compiled into libvnethash (lib/hash.c) and into the eBPF
 * steering program (bpf/vnethash_steer.bpf.c). It is freestanding: no libc,
 * no allocation, bounded loops only, so the BPF verifier accepts it.
 * docs/semantics.md describes the rules in prose.
 *
 * The includer provides, before including this file:
 *   __u8, __u16, __u32              (e.g. from <linux/types.h>)
 *   VNH_CTX_T                       the packet handle type
 *   VNH_LOAD(ctx, off, dst, len)    copy bytes [off, off + len) of the
 *                                   packet to dst; non-zero when any of
 *                                   them lies past the end of the packet
 *   VNH_INLINE                      e.g. static inline __attribute__((always_inline))
 * and may provide:
 *   VNH_FAST_INLINE                 how the fast path's functions are
 *                                   declared (default: VNH_INLINE); the
 *                                   library inlines them always
 *   VNH_OPAQUE(x)                   x, computed in a way the BPF verifier
 *                                   cannot follow (default: x). The BPF
 *                                   program uses it on the L3 offset so the
 *                                   verifier does not track every header
 *                                   offset as a distinct constant (which
 *                                   exceeds its 1M-instruction budget).
 *
 * Packet bytes are only ever read through VNH_LOAD, so no parse path can read
 * out of bounds whatever the packet holds.
 */
#ifndef VNETHASH_RULES_H
#define VNETHASH_RULES_H

#include "vnethash_defs.h"

#ifndef VNH_OPAQUE
#define VNH_OPAQUE(x) (x)
#endif
#ifndef VNH_FAST_INLINE
#define VNH_FAST_INLINE VNH_INLINE
#endif

#define VNH_ETH_P_IPV4		0x0800
#define VNH_ETH_P_IPV6		0x86dd
#define VNH_ETH_P_8021Q		0x8100
#define VNH_ETH_P_8021AD	0x88a8

#define VNH_IPPROTO_HOPOPTS	0
#define VNH_IPPROTO_TCP		6
#define VNH_IPPROTO_UDP		17
#define VNH_IPPROTO_ROUTING	43
#define VNH_IPPROTO_FRAGMENT	44
#define VNH_IPPROTO_AH		51
#define VNH_IPPROTO_DSTOPTS	60
#define VNH_IPV6_OPT_PAD1	0
#define VNH_IPV6_OPT_HOME_ADDR	0xc9
#define VNH_NO_L4		0xffff

/* The bytes the Toeplitz hash runs over, in network byte order. */
struct vnh_hash_input {
	__u8 data[VNH_HASH_INPUT_MAX];
	__u32 len;
};

VNH_FAST_INLINE __u16 vnh_be16(const __u8 *p)
{
	return (__u16)((__u16)p[0] << 8 | p[1]);
}

/*
 * Toeplitz over a per-key table: table[i * 256 + b] is the contribution of
 * byte value b at input position i (see vnh_toeplitz_table_init()).
 */
VNH_INLINE __u32 vnh_rules_toeplitz(const __u32 *table,
				    const struct vnh_hash_input *in)
{
	__u32 hash = 0;
	__u32 i;

	for (i = 0; i < VNH_HASH_INPUT_MAX; i++) {
		if (i >= in->len)
			break;
		hash ^= table[i * 256 + in->data[i]];
	}
	return hash;
}

VNH_INLINE __u32 vnh_rules_ipv4(VNH_CTX_T ctx, __u32 off, __u32 types,
				struct vnh_hash_input *in)
{
	__u8 ip[20], l4[20], last;
	__u32 ihl, i, proto = VNH_NO_L4;

	if (VNH_LOAD(ctx, off, ip, sizeof(ip)))
		return VNH_REPORT_NONE;
	if ((ip[0] >> 4) != 4)
		return VNH_REPORT_NONE;
	ihl = (__u32)(ip[0] & 0x0f) * 4;
	if (ihl < 20 || VNH_LOAD(ctx, off + ihl - 1, &last, 1))
		return VNH_REPORT_NONE;
	/* A fragment (MF set or non-zero offset) has no L4 header to hash. */
	if (!((ip[6] & 0x3f) | ip[7]))
		proto = ip[9];

	for (i = 0; i < 8; i++)
		in->data[i] = ip[12 + i];

	if (proto == VNH_IPPROTO_TCP && (types & VNH_HASH_TYPE_TCPV4) &&
	    !VNH_LOAD(ctx, off + ihl, l4, 20)) {
		for (i = 0; i < 4; i++)
			in->data[8 + i] = l4[i];
		in->len = 12;
		return VNH_REPORT_TCPV4;
	}
	if (proto == VNH_IPPROTO_UDP && (types & VNH_HASH_TYPE_UDPV4) &&
	    !VNH_LOAD(ctx, off + ihl, l4, 8)) {
		for (i = 0; i < 4; i++)
			in->data[8 + i] = l4[i];
		in->len = 12;
		return VNH_REPORT_UDPV4;
	}
	if (types & VNH_HASH_TYPE_IPV4) {
		in->len = 8;
		return VNH_REPORT_IPV4;
	}
	return VNH_REPORT_NONE;
}

VNH_FAST_INLINE int vnh_rules_is_ipv6_ext(__u32 nexthdr)
{
	return nexthdr == VNH_IPPROTO_HOPOPTS ||
	       nexthdr == VNH_IPPROTO_ROUTING ||
	       nexthdr == VNH_IPPROTO_FRAGMENT ||
	       nexthdr == VNH_IPPROTO_DSTOPTS || nexthdr == VNH_IPPROTO_AH;
}

/*
 * Find a Home Address option in the Destination Options header at
 * [start, end): returns the offset of the address, or 0.
 */
VNH_INLINE __u32 vnh_rules_find_hao(VNH_CTX_T ctx, __u32 start, __u32 end)
{
	__u32 pos = start + 2, i;
	__u8 opt[2];

	for (i = 0; i < VNH_IPV6_OPTS_MAX; i++) {
		if (pos >= end || VNH_LOAD(ctx, pos, opt, 1))
			break;
		if (opt[0] == VNH_IPV6_OPT_PAD1) {
			pos += 1;
			continue;
		}
		if (pos + 2 > end || VNH_LOAD(ctx, pos + 1, &opt[1], 1))
			break;
		if (pos + 2 + opt[1] > end)
			break;
		if (opt[0] == VNH_IPV6_OPT_HOME_ADDR && opt[1] == 16)
			return pos + 2;
		pos += 2 + (__u32)opt[1];
	}
	return 0;
}

VNH_INLINE __u32 vnh_rules_ipv6(VNH_CTX_T ctx, __u32 off, __u32 types,
				struct vnh_hash_input *in)
{
	__u8 ip[40], ext[8], l4[20], last;
	__u32 src_off = off + 8, dst_off = off + 24;
	__u32 pos = off + 40, nexthdr, hlen, hao, i;
	int have_rt2 = 0, have_hao = 0, no_l4 = 0, tcp = 0, udp = 0, ex;

	if (VNH_LOAD(ctx, off, ip, sizeof(ip)))
		return VNH_REPORT_NONE;
	if ((ip[0] >> 4) != 6)
		return VNH_REPORT_NONE;

	nexthdr = ip[6];
	for (i = 0; i < VNH_IPV6_EXT_MAX; i++) {
		if (!vnh_rules_is_ipv6_ext(nexthdr))
			break;
		/* Every extension header is at least 8 bytes long. */
		if (VNH_LOAD(ctx, pos, ext, sizeof(ext))) {
			no_l4 = 1;
			break;
		}
		if (nexthdr == VNH_IPPROTO_FRAGMENT)
			hlen = 8;
		else if (nexthdr == VNH_IPPROTO_AH)
			hlen = ((__u32)ext[1] + 2) * 4;
		else
			hlen = ((__u32)ext[1] + 1) * 8;
		/* A header cut short ends the chain: IP rules only. */
		if (VNH_LOAD(ctx, pos + hlen - 1, &last, 1)) {
			no_l4 = 1;
			break;
		}
		if (nexthdr == VNH_IPPROTO_FRAGMENT)
			no_l4 = 1;
		if (nexthdr == VNH_IPPROTO_ROUTING && !have_rt2 &&
		    ext[2] == 2 && ext[1] == 2) {
			dst_off = pos + 8;
			have_rt2 = 1;
		}
		if (nexthdr == VNH_IPPROTO_DSTOPTS && !have_hao) {
			hao = vnh_rules_find_hao(ctx, pos, pos + hlen);
			if (hao) {
				src_off = hao;
				have_hao = 1;
			}
		}
		nexthdr = ext[0];
		pos += hlen;
	}
	/* More extension headers than we walk: treated as cut short. */
	if (vnh_rules_is_ipv6_ext(nexthdr))
		no_l4 = 1;

	if (!no_l4 && nexthdr == VNH_IPPROTO_TCP)
		tcp = !VNH_LOAD(ctx, pos, l4, 20);
	else if (!no_l4 && nexthdr == VNH_IPPROTO_UDP)
		udp = !VNH_LOAD(ctx, pos, l4, 8);

	if (tcp && (types & (VNH_HASH_TYPE_TCP_EX | VNH_HASH_TYPE_TCPV6)))
		in->len = 36;
	else if (udp && (types & (VNH_HASH_TYPE_UDP_EX | VNH_HASH_TYPE_UDPV6)))
		in->len = 36;
	else if (types & (VNH_HASH_TYPE_IP_EX | VNH_HASH_TYPE_IPV6))
		in->len = 32;
	else
		return VNH_REPORT_NONE;

	/* The _EX types take the Home Address / Type 2 Routing addresses. */
	ex = (tcp && (types & VNH_HASH_TYPE_TCP_EX)) ||
	     (udp && (types & VNH_HASH_TYPE_UDP_EX)) ||
	     (in->len == 32 && (types & VNH_HASH_TYPE_IP_EX));
	if (ex) {
		/* Both lie in headers already seen whole: cannot fail. */
		if (VNH_LOAD(ctx, src_off, in->data, 16) ||
		    VNH_LOAD(ctx, dst_off, in->data + 16, 16))
			return VNH_REPORT_NONE;
	} else {
		for (i = 0; i < 32; i++)
			in->data[i] = ip[8 + i];
	}
	if (in->len == 32)
		return ex ? VNH_REPORT_IPV6_EX : VNH_REPORT_IPV6;
	for (i = 0; i < 4; i++)
		in->data[32 + i] = l4[i];
	if (tcp)
		return ex ? VNH_REPORT_TCPV6_EX : VNH_REPORT_TCPV6;
	return ex ? VNH_REPORT_UDPV6_EX : VNH_REPORT_UDPV6;
}

/*
 * Classify an IP packet at @off with EtherType @ethertype and fill @in with
 * the hash input. Returns the report type; VNH_REPORT_NONE means nothing is
 * to be hashed.
 */
VNH_INLINE __u32 vnh_rules_l3(VNH_CTX_T ctx, __u32 off, __u32 ethertype,
			      __u32 types, struct vnh_hash_input *in)
{
	in->len = 0;
	off = VNH_OPAQUE(off);
	if (ethertype == VNH_ETH_P_IPV4)
		return vnh_rules_ipv4(ctx, off, types, in);
	if (ethertype == VNH_ETH_P_IPV6)
		return vnh_rules_ipv6(ctx, off, types, in);
	return VNH_REPORT_NONE;
}

/*
 * The fast path: the rules for the common shapes of frame, applied to the
 * first @avail bytes of the packet held contiguously at @p, without copies.
 * @off is where the IP header starts in @p (14 for an Ethernet frame, 0 for
 * a tun's IP packet; a compile-time constant at every call site).
 *
 * It handles IPv4 without options and IPv6 without extension headers, over
 * TCP, UDP or anything else, when @avail covers every byte the general rules
 * would read. It returns the report type the general rules give and sets
 * *in_off to where the hash input lies in @p: the addresses and the ports
 * are contiguous in such packets (IPv4: 12 bytes from the source address,
 * IPv6: 36), and the input length follows from the report type
 * (vnh_rules_input_len()). Anything else (VLAN tags, IPv4 options, IPv6
 * extension headers, bad version fields, bytes beyond @avail) returns
 * VNH_FAST_MISS: the caller then runs the general rules, which give the
 * same answer for every packet the fast path takes (tests/unit/test_rules.c
 * and the BPF differential test check both against the reference).
 */
#define VNH_FAST_MISS		0xffu
/* Bytes the fast path reads at most past the IP header (IPv6 + TCP). */
#define VNH_FAST_L3_SPAN	60

/* Hash input length of a report type. */
VNH_FAST_INLINE __u32 vnh_rules_input_len(__u32 report)
{
	if (report == VNH_REPORT_IPV4)
		return 8;
	if (report == VNH_REPORT_TCPV4 || report == VNH_REPORT_UDPV4)
		return 12;
	if (report == VNH_REPORT_IPV6 || report == VNH_REPORT_IPV6_EX)
		return 32;
	if (report == VNH_REPORT_NONE)
		return 0;
	return 36;
}

VNH_FAST_INLINE __u32 vnh_rules_l3_fast(const __u8 *p, __u32 off, __u32 avail,
				   __u32 ethertype, __u32 types, __u32 *in_off)
{
	__u32 proto;

	if (ethertype == VNH_ETH_P_IPV4) {
		if (avail < off + 20 || p[off] != 0x45)
			return VNH_FAST_MISS;
		*in_off = off + 12;
		/* A fragment (MF set or non-zero offset): no L4 header. */
		proto = (p[off + 6] & 0x3f) | p[off + 7] ? VNH_NO_L4 :
							   p[off + 9];
		if (proto == VNH_IPPROTO_TCP && (types & VNH_HASH_TYPE_TCPV4))
			return avail >= off + 40 ? VNH_REPORT_TCPV4 :
						   VNH_FAST_MISS;
		if (proto == VNH_IPPROTO_UDP && (types & VNH_HASH_TYPE_UDPV4))
			return avail >= off + 28 ? VNH_REPORT_UDPV4 :
						   VNH_FAST_MISS;
		return types & VNH_HASH_TYPE_IPV4 ? VNH_REPORT_IPV4 :
						    VNH_REPORT_NONE;
	}
	if (ethertype == VNH_ETH_P_IPV6) {
		if (avail < off + 40 || (p[off] >> 4) != 6)
			return VNH_FAST_MISS;
		*in_off = off + 8;
		proto = p[off + 6];
		if (proto == VNH_IPPROTO_TCP &&
		    (types & (VNH_HASH_TYPE_TCP_EX | VNH_HASH_TYPE_TCPV6))) {
			if (avail < off + 60)
				return VNH_FAST_MISS;
			return types & VNH_HASH_TYPE_TCP_EX ?
			       VNH_REPORT_TCPV6_EX : VNH_REPORT_TCPV6;
		}
		if (proto == VNH_IPPROTO_UDP &&
		    (types & (VNH_HASH_TYPE_UDP_EX | VNH_HASH_TYPE_UDPV6))) {
			if (avail < off + 48)
				return VNH_FAST_MISS;
			return types & VNH_HASH_TYPE_UDP_EX ?
			       VNH_REPORT_UDPV6_EX : VNH_REPORT_UDPV6;
		}
		if (vnh_rules_is_ipv6_ext(proto))
			return VNH_FAST_MISS;
		if (types & VNH_HASH_TYPE_IP_EX)
			return VNH_REPORT_IPV6_EX;
		return types & VNH_HASH_TYPE_IPV6 ? VNH_REPORT_IPV6 :
						    VNH_REPORT_NONE;
	}
	return VNH_REPORT_NONE;
}

/* The fast path for an Ethernet frame (a tap's view), see above. */
VNH_FAST_INLINE __u32 vnh_rules_eth_fast(const __u8 *p, __u32 avail, __u32 types,
				    __u32 *in_off)
{
	__u32 ethertype;

	if (avail < 14)
		return VNH_FAST_MISS;
	ethertype = vnh_be16(p + 12);
	if (ethertype == VNH_ETH_P_8021Q || ethertype == VNH_ETH_P_8021AD)
		return VNH_FAST_MISS;
	return vnh_rules_l3_fast(p, 14, avail, ethertype, types, in_off);
}

/* Classify an Ethernet frame starting at offset 0 (a tap's view). */
VNH_INLINE __u32 vnh_rules_eth(VNH_CTX_T ctx, __u32 types,
			       struct vnh_hash_input *in)
{
	__u8 et[2];
	__u32 off = 14, ethertype, i;

	in->len = 0;
	if (VNH_LOAD(ctx, 12, et, 2))
		return VNH_REPORT_NONE;
	ethertype = vnh_be16(et);
	for (i = 0; i < VNH_VLAN_TAGS_MAX; i++) {
		if (ethertype != VNH_ETH_P_8021Q &&
		    ethertype != VNH_ETH_P_8021AD)
			break;
		if (VNH_LOAD(ctx, off + 2, et, 2))
			return VNH_REPORT_NONE;
		ethertype = vnh_be16(et);
		off += 4;
	}
	return vnh_rules_l3(ctx, off, ethertype, types, in);
}

#endif /* VNETHASH_RULES_H */
