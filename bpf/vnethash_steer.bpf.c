// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnethash_steer.bpf.c - virtio-net RSS as a tun/tap steering program
 * (BPF_PROG_TYPE_SOCKET_FILTER, attached with TUNSETSTEERINGEBPF).
 *
 * For every packet tun is about to queue, the program classifies it with
 * the vnethash rules (lib/vnethash_rules.h, the very source libvnethash is
 * built from), hashes it with the per-key Toeplitz table held in the config
 * map and returns the queue: table[hash & mask], or the unclassified queue
 * when no hash type applies (report NONE).
 *
 * Hash reporting: on kernels with the vnethash kfunc series, the program
 * also hands hash and report type to tun with bpf_tun_vnet_hash_set(),
 * which writes them into the packet's virtio_net_hdr_v1_hash. The kfunc is
 * a weak ksym: on other kernels its address is NULL, the call is dead code
 * and the verifier removes it, so one object loads everywhere. See
 * docs/steering.md for the libbpf details. Built with -DVNH_PROGTYPE, the
 * same source is a BPF_PROG_TYPE_VNET_HASH program instead (the comparison
 * build of docs/kernel-design.md): it reports through its context.
 *
 * Packet bytes are read with bpf_skb_load_bytes_relative(): from the MAC
 * header for a tap (Ethernet frames), from the network header for a tun
 * (IP packets, EtherType from skb->protocol). Relative loads see the same
 * bytes whether skb->data points at the MAC header (tun's select_queue) or
 * at the network header (BPF_PROG_TEST_RUN, after eth_type_trans()); see
 * vnh_skb_load() for headers outside the linear part.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "vnethash_maps.h"

/* The packet handle the rules see: the skb and where offset 0 is. */
struct vnh_skb {
	struct __sk_buff *skb;
	__u32 start;		/* BPF_HDR_START_MAC or BPF_HDR_START_NET */
};

/*
 * Always 0, but the verifier cannot know: it lives in writable global data.
 * The rules add it to the L3 offset (VNH_OPAQUE), so header offsets become
 * ranges the verifier prunes over instead of constants it tracks one by
 * one: without it, the IPv6 extension-header and option walks exceed the
 * 1M-instruction budget.
 */
volatile __u32 vnh_zero;

/*
 * Read packet bytes [off, off + len) counted from the MAC header (tap) or
 * the network header (tun). bpf_skb_load_bytes_relative() sees only the
 * skb's linear part; a packet whose headers lie partly in fragments (e.g.
 * one of a page or more sent through AF_PACKET, whose linear part is just
 * the Ethernet header) would look truncated. So when it fails, try
 * bpf_skb_load_bytes(), which reads fragments too but counts from
 * skb->data: at tun's select_queue skb->data is exactly where we count
 * from (the MAC header of a tap's frame, the network header of a tun's
 * packet). Under BPF_PROG_TEST_RUN skb->data is the network header and
 * the whole frame is linear: there the fallback reads 14 bytes further on
 * than the failed relative load and fails too, so it never changes a
 * result.
 */
static __always_inline int vnh_skb_load(const struct vnh_skb *c, __u32 off,
					void *dst, __u32 len)
{
	if (!bpf_skb_load_bytes_relative(c->skb, off, dst, len, c->start))
		return 0;
	return bpf_skb_load_bytes(c->skb, off, dst, len);
}

#define VNH_OPAQUE(x) ((x) + vnh_zero)
#define VNH_CTX_T const struct vnh_skb *
#define VNH_LOAD(c, off, dst, len) vnh_skb_load((c), (off), (dst), (len))
#define VNH_INLINE static __always_inline
#include "vnethash_rules.h"

char LICENSE[] SEC("license") = "GPL";

#ifdef VNH_PROGTYPE
/*
 * The comparison build (-DVNH_PROGTYPE, kernel patches 0020+): a
 * BPF_PROG_TYPE_VNET_HASH program reports by writing two fields that the
 * type appends to struct __sk_buff. The host's UAPI headers do not have
 * them, so they are reached through this layout (same offsets).
 */
struct vnh_vnet_hash_ctx {
	struct __sk_buff skb;
	__u32 vnet_hash_value;
	__u32 vnet_hash_report;
};

#define VNH_PROG_SEC	"vnet_hash"
#define VNH_CAN_REPORT	1

static __always_inline int vnh_report(struct __sk_buff *skb, __u32 hash,
				      __u32 report)
{
	struct vnh_vnet_hash_ctx *ctx = (struct vnh_vnet_hash_ctx *)skb;

	ctx->vnet_hash_value = hash;
	ctx->vnet_hash_report = report;
	return 0;
}
#else
/*
 * The hash-report kfunc of the vnethash kernel series (v2 contract): records
 * the hash for the packet being steered. 0; -EOPNOTSUPP (checked first: not
 * a tun steering run, e.g. under BPF_PROG_TEST_RUN, or the tap's vnet
 * header cannot carry a hash); -EINVAL (flags not 0, report > 9). A kernel
 * with another prototype under this name (the v1 series' three arguments)
 * leaves the weak extern unresolved: steering only.
 */
extern int bpf_tun_vnet_hash_set(struct __sk_buff *skb, __u32 hash_value,
				 __u32 hash_report, __u64 flags) __ksym __weak;

#define VNH_PROG_SEC	"socket"
#define VNH_CAN_REPORT	(bpf_tun_vnet_hash_set != 0)

static __always_inline int vnh_report(struct __sk_buff *skb, __u32 hash,
				      __u32 report)
{
	return bpf_tun_vnet_hash_set(skb, hash, report, 0);
}
#endif

/*
 * The inner map's value is given by size: clang emits struct vnh_steer_cfg
 * only as a forward declaration when it is reached through the outer map's
 * __array(), and libbpf then cannot size it.
 */
struct vnh_cfg_inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(struct vnh_steer_cfg));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct vnh_cfg_inner);
} vnh_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnh_steer_stats);
} vnh_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vnh_steer_debug);
} vnh_debug SEC(".maps");

static __always_inline int vnh_steer(struct __sk_buff *skb)
{
	struct vnh_steer_stats *st;
	struct vnh_steer_debug *dbg;
	struct vnh_steer_cfg *cfg;
	struct vnh_hash_input in;
	struct vnh_skb c;
	__u32 zero = 0, report, hash = 0, flags, queue;
	int kret = 1;
	void *inner;

	st = bpf_map_lookup_elem(&vnh_stats, &zero);
	/* One lookup of the slot: this packet sees one whole config. */
	inner = bpf_map_lookup_elem(&vnh_config, &zero);
	cfg = inner ? bpf_map_lookup_elem(inner, &zero) : NULL;
	if (!cfg || cfg->magic != VNH_CFG_MAGIC) {
		if (st)
			st->no_config++;
		return 0;
	}

	flags = cfg->flags;
	c.skb = skb;
	if (flags & VNH_CFG_F_L3) {
		c.start = BPF_HDR_START_NET;
		report = vnh_rules_l3(&c, 0, bpf_ntohs((__u16)skb->protocol),
				      cfg->hash_types, &in);
	} else {
		c.start = BPF_HDR_START_MAC;
		report = vnh_rules_eth(&c, cfg->hash_types, &in);
	}
	if (report > VNH_REPORT_MAX)
		report = VNH_REPORT_NONE;

	if (report != VNH_REPORT_NONE) {
		hash = vnh_rules_toeplitz(cfg->toeplitz, &in);
		queue = cfg->table[hash & cfg->table_mask &
				   (VNH_TABLE_LEN_MAX - 1)];
	} else {
		queue = cfg->unclassified;
	}

	if (!(flags & VNH_CFG_F_NO_REPORT) && VNH_CAN_REPORT) {
		kret = vnh_report(skb, hash, report);
		if (st) {
			if (kret)
				st->kfunc_fail++;
			else
				st->kfunc_ok++;
		}
	}

	if (st) {
		st->queue[queue < VNH_STATS_QUEUES ? queue : VNH_STATS_QUEUES]++;
		st->report[report]++;
	}
	if (flags & VNH_CFG_F_DEBUG) {
		dbg = bpf_map_lookup_elem(&vnh_debug, &zero);
		if (dbg) {
			dbg->runs++;
			dbg->hash = hash;
			dbg->report = (__u16)report;
			dbg->queue = (__u16)queue;
			dbg->kfunc_ret = kret;
			dbg->generation = cfg->generation;
		}
	}
	return (int)queue;
}

/*
 * The one program of the object. bpf_tun_vnet_hash_set is a weak ksym:
 * libbpf (1.1 and later) resolves it from kernel or module BTF, or leaves
 * its address 0 and the call as dead code, which the verifier removes.
 */
SEC(VNH_PROG_SEC)
int vnh_steer_prog(struct __sk_buff *skb)
{
	return vnh_steer(skb);
}
