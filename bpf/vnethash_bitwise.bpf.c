// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnethash_bitwise.bpf.c - the baseline steering program of the benchmarks:
 * RSS the common way, structured like QEMU's rss.bpf.c, written for
 * vnethash's benchmarks only. It is not the vnethash rules and is never
 * attached outside `vnethash bench` and bench/bench_steer.
 *
 * Per packet: a lookup of the configuration and of the key; the IP header
 * and the ports read with bpf_skb_load_bytes_relative() from the network
 * header (EtherType from skb->protocol); IPv6 extension headers not walked
 * (a packet with one is hashed as plain IPv6); the addresses and ports
 * copied into a zeroed 36-byte buffer, and the Toeplitz hash computed bit
 * by bit over all 36 bytes, as QEMU's program does for every packet: for
 * every input bit, XOR the current 32-bit key window into the hash when
 * the bit is set, and shift the next key bit into the window. Then
 * hash % table length and a lookup of the indirection table's entry.
 * Zero bytes add nothing to a Toeplitz hash, so with the same key and
 * table it picks the same queue as vnethash for IPv4/IPv6 TCP/UDP frames
 * without extension headers, which the benchmarks check.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "vnethash_defs.h"

char LICENSE[] SEC("license") = "GPL";

#define BW_TABLE_LEN 128

struct bw_config {
	__u32 hash_types;	/* VNH_HASH_TYPE_* */
	__u32 table_len;	/* indirection table entries, 1..BW_TABLE_LEN */
	__u32 default_queue;	/* for packets without a hash */
};

struct bw_key {
	__u32 leftmost_32_bits;	/* key bytes 0..3, as a number */
	__u8 next_byte[VNH_HASH_INPUT_MAX];	/* key bytes 4..39 */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_config);
} bw_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bw_key);
} bw_key SEC(".maps");

/* One queue number per entry, like QEMU's indirection table map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, BW_TABLE_LEN);
	__type(key, __u32);
	__type(value, __u16);
} bw_table SEC(".maps");

struct bw_ipv4 {
	__u8 ver_ihl, tos;
	__u16 tot_len, id, frag_off;
	__u8 ttl, protocol;
	__u16 check;
	__u8 saddr[4], daddr[4];
};

struct bw_ipv6 {
	__u8 ver_tc[4];
	__u16 payload_len;
	__u8 nexthdr, hop_limit;
	__u8 saddr[16], daddr[16];
};

/* Bit by bit over the whole buffer, whatever the input's length. */
static __always_inline __u32 bw_toeplitz(const struct bw_key *k,
					 const __u8 *in)
{
	__u32 hash = 0, window = k->leftmost_32_bits, i;
	int b;

	for (i = 0; i < VNH_HASH_INPUT_MAX; i++) {
		__u8 byte = in[i], next = k->next_byte[i];

#pragma clang loop unroll(full)
		for (b = 0; b < 8; b++) {
			if (byte & 0x80)
				hash ^= window;
			window = window << 1 | next >> 7;
			byte <<= 1;
			next <<= 1;
		}
	}
	return hash;
}

SEC("socket")
int vnh_bitwise_prog(struct __sk_buff *skb)
{
	__u8 in[VNH_HASH_INPUT_MAX] = {};
	const struct bw_config *cfg;
	const struct bw_key *key;
	__u16 ports[2], *queue;
	__u32 zero = 0, len = 0, proto = 0, l4off = 0, hash, idx, i;

	cfg = bpf_map_lookup_elem(&bw_config, &zero);
	key = bpf_map_lookup_elem(&bw_key, &zero);
	if (!cfg || !key || !cfg->table_len)
		return 0;

	if (skb->protocol == bpf_htons(0x0800)) {
		struct bw_ipv4 ip;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip),
						BPF_HDR_START_NET))
			return cfg->default_queue;
		for (i = 0; i < 4; i++) {
			in[i] = ip.saddr[i];
			in[4 + i] = ip.daddr[i];
		}
		len = 8;
		if (!(ip.frag_off & bpf_htons(0x3fff))) {
			proto = ip.protocol;
			l4off = (ip.ver_ihl & 0x0f) * 4;
		}
		if (proto == 6 && (cfg->hash_types & VNH_HASH_TYPE_TCPV4))
			len = 12;
		else if (proto == 17 && (cfg->hash_types & VNH_HASH_TYPE_UDPV4))
			len = 12;
		else if (!(cfg->hash_types & VNH_HASH_TYPE_IPV4))
			return cfg->default_queue;
	} else if (skb->protocol == bpf_htons(0x86dd)) {
		struct bw_ipv6 ip;

		if (bpf_skb_load_bytes_relative(skb, 0, &ip, sizeof(ip),
						BPF_HDR_START_NET))
			return cfg->default_queue;
		for (i = 0; i < 16; i++) {
			in[i] = ip.saddr[i];
			in[16 + i] = ip.daddr[i];
		}
		len = 32;
		proto = ip.nexthdr;
		l4off = sizeof(ip);
		if (proto == 6 && (cfg->hash_types & VNH_HASH_TYPE_TCPV6))
			len = 36;
		else if (proto == 17 && (cfg->hash_types & VNH_HASH_TYPE_UDPV6))
			len = 36;
		else if (!(cfg->hash_types & VNH_HASH_TYPE_IPV6))
			return cfg->default_queue;
	} else {
		return cfg->default_queue;
	}
	if (len == 12 || len == 36) {
		if (bpf_skb_load_bytes_relative(skb, l4off & 0xff, ports,
						sizeof(ports),
						BPF_HDR_START_NET))
			len -= 4;	/* no ports: IP hash */
		else if (len == 12)
			__builtin_memcpy(&in[8], ports, 4);
		else
			__builtin_memcpy(&in[32], ports, 4);
	}
	hash = bw_toeplitz(key, in);
	idx = hash % cfg->table_len;
	queue = bpf_map_lookup_elem(&bw_table, &idx);
	return queue ? *queue : cfg->default_queue;
}
