// SPDX-License-Identifier: GPL-2.0-only
/*
 * vnethash_steer.bpf.c - virtio-net RSS as a tun/tap steering program
 * (BPF_PROG_TYPE_SOCKET_FILTER, attached with TUNSETSTEERINGEBPF).
 *
 * For every packet tun is about to queue, the program classifies it with
 * the vnethash rules (shared/vnethash_rules.h, the very source libvnethash is
 * built from), hashes it with the per-key Toeplitz table held in the config
 * map and returns the queue: table[hash & mask], or the unclassified queue
 * when no hash type applies (report NONE).
 *
 * Hash reporting: on kernels with the vnethash kfunc series, the program
 * also hands hash and report type to tun with bpf_tun_vnet_hash_set(),
 * which writes them into the packet's virtio_net_hdr_v1_hash. The kfunc is
 * a weak ksym: on other kernels its address is NULL, the call is dead code
 * and the verifier removes it. Where a loader refuses the extern itself (no
 * vmlinux BTF; libbpf before 1.2 without CAP_BPF, a JIT), the library loads
 * this source built with -DVNH_NO_KFUNC, which only steers. The object's
 * second program, vnh_caps_prog, tells user space which it got. Built with
 * -DVNH_PROGTYPE, the same source is a BPF_PROG_TYPE_VNET_HASH program
 * instead (the comparison build of docs/kernel-design.md), which reports
 * through its context. See docs/steering.md for the libbpf details.
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

#if defined(VNH_PROGTYPE)
/*
 * The comparison build (-DVNH_PROGTYPE, kernel patches 0020-0023, not for
 * mainline): the steering program is a BPF_PROG_TYPE_VNET_HASH program and
 * reports by writing two fields that the type appends to struct __sk_buff.
 * The host's UAPI headers do not have them, so they are reached through
 * this layout (same offsets). No kfunc extern. The loader sets the program
 * type (libbpf does not know the section unless patched too).
 */
struct vnh_vnet_hash_ctx {
	struct __sk_buff skb;
	__u32 vnet_hash_value;
	__u32 vnet_hash_report;
};

static __always_inline int vnh_ctx_report(struct __sk_buff *skb, __u32 hash,
					  __u32 report)
{
	struct vnh_vnet_hash_ctx *ctx = (struct vnh_vnet_hash_ctx *)skb;

	ctx->vnet_hash_value = hash;
	ctx->vnet_hash_report = report;
	return 0;
}

#define vnh_kfunc_resolved() 1
#define bpf_tun_vnet_hash_set(skb, hash, report, flags) \
	vnh_ctx_report(skb, hash, report)
#define VNH_CAPS_BUILD VNH_CAPS_PROGTYPE_BUILD
#define VNH_STEER_SEC "vnet_hash"
#elif !defined(VNH_NO_KFUNC)
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
/* Did the loader resolve the kfunc (libbpf >= 1.2 has bpf_ksym_exists())? */
#define vnh_kfunc_resolved() (!!bpf_tun_vnet_hash_set)
#define VNH_CAPS_BUILD 0
#define VNH_STEER_SEC "socket"
#else
/*
 * The same source built with -DVNH_NO_KFUNC: no kfunc extern at all, for
 * kernels and loaders that refuse one (no vmlinux BTF: libbpf rejects any
 * object with a typed kfunc extern, even a weak one; libbpf before 1.2
 * leaves an unresolved call, which needs CAP_BPF, a JIT and a GPL license).
 * It steers, never reports. The library loads it when the other fails.
 */
#define vnh_kfunc_resolved() 0
#define bpf_tun_vnet_hash_set(skb, hash, report, flags) (-95) /* EOPNOTSUPP */
#define VNH_CAPS_BUILD VNH_CAPS_NO_KFUNC_BUILD
#define VNH_STEER_SEC "socket"
#endif

/*
 * What this object does as loaded (VNH_CAPS_*), written by vnh_caps_prog,
 * which user space runs once right after the load and reads this back:
 * whether the kfunc extern was resolved is known only then, and only the
 * loaded object can tell (libbpf drops an extern it cannot resolve, e.g.
 * one in module BTF that a loader without CAP_SYS_ADMIN cannot see).
 */
__u32 vnh_caps;

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

/*
 * Bytes of the packet the program loads up front: the longest span the
 * rules' fast path reads (Ethernet + IPv6 + TCP), rounded up.
 */
#define VNH_HEAD_LEN	80

/*
 * Under BPF_PROG_TEST_RUN the packet belongs to the loopback device
 * (ifindex 1), which never runs a tun steering program.
 */
#define VNH_LOOPBACK_IFINDEX	1

/*
 * Load the first bytes of the packet (from the MAC header for a tap, from
 * the network header for a tun) into @buf with one helper call; returns
 * how many, 0 when none could be read this way (the packet's linear part
 * is shorter than its headers): the general rules then read it piecewise.
 *
 * How long the packet is counted from where we start: skb->len counts from
 * skb->data, which is where we start at tun's select_queue (the MAC header
 * of a tap's frame, the network header of a tun's packet), but under
 * BPF_PROG_TEST_RUN it is the network header also for a frame (after
 * eth_type_trans()), 14 bytes after the MAC header. So a frame on the
 * loopback device (a test run) asks for 14 bytes more than skb->len first;
 * every other packet asks for skb->len (a test run naming another device
 * then sees 14 bytes fewer, and the general rules read the rest). Either
 * way the bytes read are the packet's; only the number of calls differs.
 */
static __always_inline __u32 vnh_load_head(struct __sk_buff *skb, __u32 start,
					   __u8 *buf)
{
	__u64 len = skb->len, want;
	int mac = start == BPF_HDR_START_MAC;

	if (mac && skb->ifindex == VNH_LOOPBACK_IFINDEX) {
		want = len < VNH_HEAD_LEN - 14 ? len + 14 : VNH_HEAD_LEN;
		if (want >= 14 && want <= VNH_HEAD_LEN &&
		    !bpf_skb_load_bytes_relative(skb, 0, buf, want, start))
			return want;
	}
	want = len < VNH_HEAD_LEN ? len : VNH_HEAD_LEN;
	if (want >= 1 && want <= VNH_HEAD_LEN &&
	    !bpf_skb_load_bytes_relative(skb, 0, buf, want, start))
		return want;
	return 0;
}

/*
 * Toeplitz over the @addr bytes of addresses at @p and, when @ports, the
 * 4 bytes of ports right after them: the rules' table lookup, unrolled,
 * over the packet bytes in place.
 */
static __always_inline __u32 vnh_fast_toeplitz(const __u32 *table,
					       const __u8 *p, const __u32 addr,
					       int ports)
{
	__u32 hash = 0, i;

#pragma clang loop unroll(full)
	for (i = 0; i < addr; i++)
		hash ^= table[i * 256 + p[i]];
	if (ports) {
#pragma clang loop unroll(full)
		for (i = addr; i < addr + 4; i++)
			hash ^= table[i * 256 + p[i]];
	}
	return hash;
}

/*
 * The general rules, reading the packet piece by piece: for everything the
 * fast path leaves (VLAN tags, IPv4 options, IPv6 extension headers,
 * truncated or non-linear headers). A subprogram of its own, so the fast
 * path's registers are not spilled around it. Returns the report type and
 * stores the hash in *hash.
 */
static __noinline __u32 vnh_steer_slow(struct __sk_buff *skb,
				       const struct vnh_steer_cfg *cfg,
				       __u32 *hash)
{
	struct vnh_hash_input in;
	struct vnh_skb c = { .skb = skb };
	__u32 report;

	if (cfg->flags & VNH_CFG_F_L3) {
		c.start = BPF_HDR_START_NET;
		report = vnh_rules_l3(&c, 0, bpf_ntohs((__u16)skb->protocol),
				      cfg->hash_types, &in);
	} else {
		c.start = BPF_HDR_START_MAC;
		report = vnh_rules_eth(&c, cfg->hash_types, &in);
	}
	if (report > VNH_REPORT_MAX || report == VNH_REPORT_NONE) {
		*hash = 0;
		return VNH_REPORT_NONE;
	}
	*hash = vnh_rules_toeplitz(cfg->toeplitz, &in);
	return report;
}

static __always_inline int vnh_steer(struct __sk_buff *skb)
{
	struct vnh_steer_stats *st;
	struct vnh_steer_debug *dbg;
	struct vnh_steer_cfg *cfg;
	__u8 head[VNH_HEAD_LEN];
	__u32 zero = 0, report, hash = 0, flags, queue, avail, in_off = 0;
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
	avail = vnh_load_head(skb, flags & VNH_CFG_F_L3 ? BPF_HDR_START_NET :
							  BPF_HDR_START_MAC,
			      head);
	if (flags & VNH_CFG_F_L3)
		report = vnh_rules_l3_fast(head, 0, avail,
					   bpf_ntohs((__u16)skb->protocol),
					   cfg->hash_types, &in_off);
	else
		report = vnh_rules_eth_fast(head, avail, cfg->hash_types,
					    &in_off);

	if (report == VNH_FAST_MISS) {
		report = vnh_steer_slow(skb, cfg, &hash);
		if (report > VNH_REPORT_MAX)
			report = VNH_REPORT_NONE;
	} else if (report != VNH_REPORT_NONE) {
		/* The input lies contiguously in head at a fixed offset. */
		__u32 len = vnh_rules_input_len(report);

		int ports = len == 12 || len == 36;
		__u32 off = flags & VNH_CFG_F_L3 ? 0 : 14;

		if (len <= 12)
			hash = vnh_fast_toeplitz(cfg->toeplitz,
						 head + off + 12, 8, ports);
		else
			hash = vnh_fast_toeplitz(cfg->toeplitz,
						 head + off + 8, 32, ports);
	}

	if (report != VNH_REPORT_NONE)
		queue = cfg->table[hash & cfg->table_mask &
				   (VNH_TABLE_LEN_MAX - 1)];
	else
		queue = cfg->unclassified;

	if (!(flags & VNH_CFG_F_NO_REPORT) && vnh_kfunc_resolved()) {
		kret = bpf_tun_vnet_hash_set(skb, hash, report, 0);
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
 * The steering program. bpf_tun_vnet_hash_set is a weak ksym:
 * libbpf (1.1 and later) resolves it from kernel or module BTF, or leaves
 * its address 0 and the call as dead code, which the verifier removes.
 */
SEC(VNH_STEER_SEC)
int vnh_steer_prog(struct __sk_buff *skb)
{
	return vnh_steer(skb);
}

/* Run once by user space after the load (BPF_PROG_TEST_RUN): see vnh_caps. */
SEC("socket")
int vnh_caps_prog(struct __sk_buff *skb)
{
	vnh_caps = VNH_CAPS_VALID | VNH_CAPS_BUILD |
		   (vnh_kfunc_resolved() && VNH_CAPS_BUILD == 0 ?
		    VNH_CAPS_KFUNC : 0);
	return 0;
}
