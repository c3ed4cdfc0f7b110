/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_defs.h - virtio-net hash constants shared by user space, the eBPF
 * steering program and kernel code. Freestanding: no includes, no types.
 */
#ifndef VNETHASH_DEFS_H
#define VNETHASH_DEFS_H

/* Hash types (VIRTIO_NET_RSS_HASH_TYPE_*), bits of hash_types. */
#define VNH_HASH_TYPE_IPV4	(1u << 0)
#define VNH_HASH_TYPE_TCPV4	(1u << 1)
#define VNH_HASH_TYPE_UDPV4	(1u << 2)
#define VNH_HASH_TYPE_IPV6	(1u << 3)
#define VNH_HASH_TYPE_TCPV6	(1u << 4)
#define VNH_HASH_TYPE_UDPV6	(1u << 5)
#define VNH_HASH_TYPE_IP_EX	(1u << 6)
#define VNH_HASH_TYPE_TCP_EX	(1u << 7)
#define VNH_HASH_TYPE_UDP_EX	(1u << 8)
#define VNH_HASH_TYPE_ALL	0x1ffu

/* Report types (VIRTIO_NET_HASH_REPORT_*), the hash_report header field. */
#define VNH_REPORT_NONE		0
#define VNH_REPORT_IPV4		1
#define VNH_REPORT_TCPV4	2
#define VNH_REPORT_UDPV4	3
#define VNH_REPORT_IPV6		4
#define VNH_REPORT_TCPV6	5
#define VNH_REPORT_UDPV6	6
#define VNH_REPORT_IPV6_EX	7
#define VNH_REPORT_TCPV6_EX	8
#define VNH_REPORT_UDPV6_EX	9
#define VNH_REPORT_MAX		9

/* Longest Toeplitz input: two IPv6 addresses and two ports. */
#define VNH_HASH_INPUT_MAX	36
/* Largest key: what a virtio device needs for VNH_HASH_INPUT_MAX bytes. */
#define VNH_KEY_SIZE_MAX	40
/* Largest power of two a 16-bit rss_max_indirection_table_length allows. */
#define VNH_TABLE_LEN_MAX	32768
/* Queue numbers are 15 bits (struct rss_rq_id, virtio 1.3). */
#define VNH_QUEUE_MAX		0x7fff

/* Parser limits, see docs/semantics.md. */
#define VNH_VLAN_TAGS_MAX	2
#define VNH_IPV6_EXT_MAX	8
#define VNH_IPV6_OPTS_MAX	16

/* One Toeplitz table entry per (input position, byte value). */
#define VNH_TOEPLITZ_TABLE_ENTRIES (VNH_HASH_INPUT_MAX * 256)

#endif /* VNETHASH_DEFS_H */
