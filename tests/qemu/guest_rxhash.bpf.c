// SPDX-License-Identifier: GPL-2.0
/*
 * guest_rxhash.bpf.c - runs in the QEMU guest of the `qemu` test suite, as
 * the XDP program of its virtio-net device. For every test frame (those
 * ending in the 8-byte trailer "VNHQ" + a little-endian sequence number)
 * it records the receive queue, and the hash and hash type that the guest's
 * virtio_net driver took from the packet's virtio_net_hdr_v1_hash (through
 * the XDP rx-hash metadata kfunc), then drops the frame.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* The kernel's enum (include/net/xdp.h); only its name and size matter. */
enum xdp_rss_hash_type { XDP_RSS_TYPE_NONE = 0 };

extern int bpf_xdp_metadata_rx_hash(const struct xdp_md *ctx, __u32 *hash,
				    enum xdp_rss_hash_type *rss_type) __ksym;

#define REC_MAX 16384
#define TRAILER_MAGIC 0x51484e56u	/* "VNHQ" little-endian */

struct rec {
	__u32 seq;
	__u32 queue;
	__u32 hash;
	__u32 rss_type;
	__s32 ret;		/* bpf_xdp_metadata_rx_hash(): 0 or -errno */
	__u32 len;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, REC_MAX);
	__type(key, __u32);
	__type(value, struct rec);
} recs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} count SEC(".maps");

SEC("xdp")
int rxhash_rec(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 len = end - data, trailer[2], zero = 0, idx;
	enum xdp_rss_hash_type type = XDP_RSS_TYPE_NONE;
	struct rec *r;
	__u32 *n;

	if (len < 14 || len > 4096)
		return XDP_PASS;
	if (bpf_xdp_load_bytes(ctx, len - 8, trailer, sizeof(trailer)))
		return XDP_PASS;
	if (trailer[0] != TRAILER_MAGIC)
		return XDP_PASS;
	n = bpf_map_lookup_elem(&count, &zero);
	if (!n)
		return XDP_DROP;
	idx = __sync_fetch_and_add(n, 1);
	r = bpf_map_lookup_elem(&recs, &idx);
	if (!r)
		return XDP_DROP;
	r->seq = trailer[1];
	r->queue = ctx->rx_queue_index;
	r->len = len;
	r->hash = 0;
	r->ret = bpf_xdp_metadata_rx_hash(ctx, &r->hash, &type);
	r->rss_type = type;
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
