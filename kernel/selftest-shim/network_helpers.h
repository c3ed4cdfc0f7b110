/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal stand-in for tools/testing/selftests/bpf/network_helpers.h */
#ifndef VNETHASH_SHIM_NETWORK_HELPERS_H
#define VNETHASH_SHIM_NETWORK_HELPERS_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/tcp.h>

#define MAGIC_BYTES 123

struct ipv4_packet {
	struct ethhdr eth;
	struct iphdr iph;
	struct tcphdr tcp;
} __attribute__((packed));
extern struct ipv4_packet pkt_v4;

#endif
