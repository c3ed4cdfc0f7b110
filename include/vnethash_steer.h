/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * vnethash_steer.h - virtio-net RSS in the kernel: the vnethash eBPF
 * steering program on a multiqueue tap/tun device (TUNSETSTEERINGEBPF), for
 * VMMs and tools.
 *
 * The program (bpf/vnethash_steer.bpf.c) runs the same hash rules as the
 * library (shared/vnethash_rules.h) on every packet the kernel hands to the
 * device and returns the receive queue: indirection_table[hash & (len - 1)],
 * or the unclassified queue for packets without a hash. On kernels with the
 * hash-report kfunc (bpf_tun_vnet_hash_set(), from the vnethash kernel
 * series) it also records the hash value and report type, which tun writes
 * into the virtio_net_hdr_v1_hash it hands to user space / vhost_net. One
 * program object serves both kinds of kernel.
 *
 * Its configuration lives in BPF maps and is replaced atomically by
 * vnh_steer_update(): each packet is steered wholly by the old or wholly by
 * the new configuration. Counters survive updates.
 *
 * Conventions (like libbpf and vnethash.h): functions that can fail return 0
 * (or a non-negative count) or a negative errno; optional structures start
 * with a `sz` member (set it to sizeof(struct ...)); a NULL opts pointer
 * means all defaults. Everything here needs the privileges BPF and tun
 * need (CAP_BPF + CAP_NET_ADMIN, in practice root).
 */
#ifndef VNETHASH_STEER_H
#define VNETHASH_STEER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "vnethash.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A loaded steering program with its maps (opaque). */
struct vnh_steer;

/** What the device carries, i.e. where the program parses from. */
enum vnh_steer_mode {
	VNH_STEER_MODE_AUTO = 0,	/* ask the queue fd (TUNGETIFF) */
	VNH_STEER_MODE_ETH = 1,		/* tap: Ethernet frames */
	VNH_STEER_MODE_L3 = 2,		/* tun: IP packets; EtherType from
					 * skb->protocol */
};

/* Queues counted individually; higher queues share one "other" counter. */
#define VNH_STEER_STAT_QUEUES	256

/* tun's limit on the queues of one device (MAX_TAP_QUEUES). */
#define VNH_TUN_MAX_QUEUES	256

/** Options of vnh_steer_load() / vnh_steer_attach(). */
struct vnh_steer_opts {
	size_t sz;		/* sizeof(struct vnh_steer_opts) */
	/*
	 * enum vnh_steer_mode. AUTO: taken from the queue fd by
	 * vnh_steer_attach(); vnh_steer_load() without a fd uses ETH.
	 */
	int mode;
	/* Non-zero: never call the hash-report kfunc (steer only). */
	int no_report;
	/*
	 * Non-zero: the program also records the hash, report and queue of
	 * the last packet (see vnh_steer_test_run()). For tests; costs a
	 * shared cache line per packet.
	 */
	int debug;
	/*
	 * If non-zero, vnh_steer_attach()/vnh_steer_update() refuse
	 * (-ERANGE) a configuration naming a queue >= max_queues.
	 */
	unsigned int max_queues;
	/*
	 * enum vnh_steer_mechanism: how the kernel learns the hash. A
	 * mechanism the kernel lacks is an error (-EOPNOTSUPP), never a
	 * silent fallback; AUTO picks the best there is. With no_report,
	 * only AUTO and STEER are valid.
	 */
	int mechanism;
};

/*
 * How the steering program hands the hash to the kernel
 * (docs/kernel-design.md):
 * KFUNC: a socket filter calling bpf_tun_vnet_hash_set() (kernel series);
 * PROGTYPE: a BPF_PROG_TYPE_VNET_HASH program writing its context (the
 * comparison patches 0020+, not for mainline); STEER: no report at all.
 * AUTO: KFUNC if the kernel has the kfunc, else PROGTYPE if it has the
 * program type, else STEER.
 */
enum vnh_steer_mechanism {
	VNH_STEER_MECH_AUTO = 0,
	VNH_STEER_MECH_KFUNC = 1,
	VNH_STEER_MECH_PROGTYPE = 2,
	VNH_STEER_MECH_STEER = 3,
};

/** vnh_steer_mechanism_name() - "auto", "kfunc", "progtype", "steer"; NULL if unknown. */
const char *vnh_steer_mechanism_name(int mechanism);

/**
 * vnh_steer_load() - load the steering program and its maps, configured
 * with @rss, without attaching it anywhere.
 * @rss: the RSS configuration (copied; the caller keeps it)
 * @opts: may be NULL
 * @steer: receives the new object; free with vnh_steer_free()
 *
 * Returns 0, or a negative errno (-EPERM without privileges, -ERANGE if
 * a queue is >= opts->max_queues, -EINVAL for bad arguments, ...).
 */
int vnh_steer_load(const struct vnh_rss *rss,
		   const struct vnh_steer_opts *opts, struct vnh_steer **steer);

/**
 * vnh_steer_attach() - load the program configured with @rss and make it
 * the steering program of the device behind @queue_fd (any queue fd of a
 * tap/tun device the caller owns, e.g. a VMM's). A steering program is
 * per device, not per queue: it replaces any previous one. Mode AUTO is
 * resolved with TUNGETIFF on @queue_fd. @queue_fd is not kept.
 *
 * Returns 0 or a negative errno (-EBADFD if @queue_fd is not attached to a
 * device, -ENOTTY if it is not a tun fd, ...).
 */
int vnh_steer_attach(int queue_fd, const struct vnh_rss *rss,
		     const struct vnh_steer_opts *opts,
		     struct vnh_steer **steer);

/**
 * vnh_steer_attach_queue() - make an already loaded (or opened) program the
 * steering program of the device behind @queue_fd.
 */
int vnh_steer_attach_queue(struct vnh_steer *steer, int queue_fd);

/**
 * vnh_steer_detach() - remove the steering program of the device behind
 * @queue_fd (TUNSETSTEERINGEBPF with -1); tun's default steering returns.
 * Does not touch pins or any struct vnh_steer.
 */
int vnh_steer_detach(int queue_fd);

/**
 * vnh_steer_update() - replace the configuration atomically: a new config
 * map is built off-line and swapped in with one map update; packets being
 * steered meanwhile finish with the old one. When it returns, no packet is
 * steered by the old configuration any more (the kernel waits an RCU grace
 * period on map-in-map updates: expect ~10-20 ms). Mode and opts stay.
 * Counters are kept. On error the running configuration is unchanged.
 * Concurrent updates of one instance from several processes: last wins.
 */
int vnh_steer_update(struct vnh_steer *steer, const struct vnh_rss *rss);

/** Details of the running configuration besides its struct vnh_rss. */
struct vnh_steer_info {
	size_t sz;		/* sizeof(struct vnh_steer_info) */
	int mode;		/* VNH_STEER_MODE_ETH or _L3 */
	int no_report;
	int debug;
	unsigned int max_queues;	/* 0 = unchecked */
	uint32_t generation;	/* 1 at load, +1 per vnh_steer_update() */
	uint32_t prog_id;	/* kernel id of the program */
	int kfunc;		/* 1 if the program as loaded calls the
				 * hash-report kfunc (the kernel has it);
				 * 0 if the call was left out as dead code */
	uint32_t verified_insns;	/* instructions the verifier processed */
	int mechanism;		/* enum vnh_steer_mechanism in use, never
				 * AUTO; < 0: unknown (-errno) */
};

/**
 * vnh_steer_get_config() - read the running configuration back from the
 * maps (works on pinned instances opened by another process).
 * @rss: receives it (may be NULL)
 * @info: may be NULL
 */
int vnh_steer_get_config(const struct vnh_steer *steer, struct vnh_rss *rss,
			 struct vnh_steer_info *info);

/** Packet counters, summed over CPUs. */
struct vnh_steer_counters {
	size_t sz;		/* sizeof(struct vnh_steer_counters) */
	uint64_t packets;	/* all packets the program saw */
	uint64_t queue[VNH_STEER_STAT_QUEUES];	/* per queue returned */
	uint64_t queue_other;	/* returned a queue >= VNH_STEER_STAT_QUEUES */
	uint64_t report[VNH_REPORT_MAX + 1];	/* per report type */
	uint64_t kfunc_ok;	/* bpf_tun_vnet_hash_set() returned 0 */
	uint64_t kfunc_fail;	/* ... returned an error */
	uint64_t no_config;	/* no configuration found (never expected) */
};

/** vnh_steer_read_counters() - sum the per-CPU counters into @c. */
int vnh_steer_read_counters(const struct vnh_steer *steer,
			    struct vnh_steer_counters *c);

/** vnh_steer_reset_counters() - zero all counters. */
int vnh_steer_reset_counters(struct vnh_steer *steer);

/**
 * vnh_steer_pin() - pin the program and its maps under @dir (created,
 * with missing parents, on a bpffs; bpffs is not mounted here): files
 * "prog", "config" and "stats". -EEXIST if @dir already holds pins.
 */
int vnh_steer_pin(struct vnh_steer *steer, const char *dir);

/**
 * vnh_steer_unpin() - remove the pins vnh_steer_pin() made under @dir and
 * @dir itself. Removing pins does not detach the program. -ENOENT if
 * nothing was pinned there.
 */
int vnh_steer_unpin(const char *dir);

/**
 * vnh_steer_open_pinned() - open an instance pinned under @dir, e.g. by
 * another process, to update it, read it or attach it elsewhere.
 * -ENOENT if nothing is pinned there.
 */
int vnh_steer_open_pinned(const char *dir, struct vnh_steer **steer);

/** vnh_steer_prog_fd() - the program's fd (owned by @steer). */
int vnh_steer_prog_fd(const struct vnh_steer *steer);

/**
 * vnh_steer_free() - close the object's fds. An attached program stays
 * attached (the device holds it), pinned maps stay pinned.
 */
void vnh_steer_free(struct vnh_steer *steer);

/**
 * vnh_steer_test_run() - run the program once on @frame with
 * BPF_PROG_TEST_RUN (the kernel treats it as an Ethernet frame; in L3 mode
 * the packet starts after the 14-byte header, whose EtherType becomes
 * skb->protocol). Fills @res->queue with the program's return value and,
 * if the program was loaded with opts->debug, @res->hash/@res->report with
 * what it computed (else both 0). For tests and `vnethash verify`.
 */
int vnh_steer_test_run(const struct vnh_steer *steer, const void *frame,
		       size_t len, struct vnh_result *res);

/** What the running kernel supports: 1 yes, 0 no, negative errno unknown. */
struct vnh_steer_features {
	size_t sz;			/* sizeof(struct vnh_steer_features) */
	/* TUNSETSTEERINGEBPF works (probed on a tap in a private netns). */
	int steering_prog;
	/* The kfunc bpf_tun_vnet_hash_set is in kernel BTF. */
	int hash_kfunc;
	/* Where it was found: "vmlinux", "tun" or "". */
	char hash_kfunc_btf[32];
	/* BPF_PROG_TYPE_VNET_HASH in the kernel's enum bpf_prog_type (BTF). */
	int prog_type_vnet_hash;
	/* Native tun hashing (the unmerged "tun: Introduce virtio-net
	 * hashing feature" series): struct tun_vnet_hash in kernel BTF. */
	int native_hash;
};

/** vnh_steer_probe() - fill @f; never fakes a result. Returns 0. */
int vnh_steer_probe(struct vnh_steer_features *f);

/** A tun/tap device as the kernel describes it over rtnetlink (IFLA_TUN_*). */
struct vnh_tun_info {
	size_t sz;		/* sizeof(struct vnh_tun_info) */
	int mode;		/* VNH_STEER_MODE_ETH (tap) or _L3 (tun) */
	int pi;			/* 1: a struct tun_pi precedes each packet
				 * (no IFF_NO_PI) */
	int vnet_hdr;		/* 1: IFF_VNET_HDR */
	int multi_queue;	/* 1: IFF_MULTI_QUEUE */
	int persist;		/* 1: IFF_PERSIST */
	/*
	 * Queues attached, and detached with IFF_DETACH_QUEUE; -1 on a
	 * single-queue device (tun reports them for multiqueue ones only).
	 */
	int num_queues;
	int num_disabled_queues;
	int64_t owner;		/* the uid allowed to attach, -1 if any */
	int64_t group;		/* the gid allowed to attach, -1 if any */
};

/**
 * vnh_tun_info() - describe the tun/tap device @ifname (in the caller's
 * network namespace) from rtnetlink (RTM_GETLINK). Needs no queue fd and no
 * privileges. Unlike TUNGETIFF it tells whether packets carry tun_pi
 * (TUNGETIFF reports IFF_NOFILTER, the same bit as IFF_NO_PI, for every
 * queue without a socket filter); unlike sysfs it always speaks for the
 * caller's network namespace.
 * @info: the caller sets info->sz; filled up to it
 *
 * Returns 0, or a negative errno: -ENODEV if there is no such device,
 * -ENOTTY if it is not a tun/tap device, -EOPNOTSUPP if the kernel does not
 * describe tun devices (before Linux 4.15).
 */
int vnh_tun_info(const char *ifname, struct vnh_tun_info *info);

/**
 * Does the device's steering program report hashes through the kernel, so
 * that all-zero hash fields in a vnet header are its report NONE? See
 * vnh_tap_read().
 */
enum vnh_tap_report {
	VNH_TAP_REPORT_AUTO = 0,	/* find out, on reads that need it */
	VNH_TAP_REPORT_ON = 1,		/* yes */
	VNH_TAP_REPORT_OFF = 2,		/* no: the kernel lacks the kfunc, the
					 * program was loaded with no_report
					 * or is not ours, or one queue */
};

/** Options of vnh_tap_read(). */
struct vnh_tap_read_opts {
	size_t sz;		/* sizeof(struct vnh_tap_read_opts) */
	/*
	 * Bytes of virtio-net header before each frame: 10, 12 or 20
	 * (TUNSETVNETHDRSZ); 0 = ask the fd (TUNGETIFF/TUNGETVNETHDRSZ).
	 * -1 (as size_t: (size_t)-1) = no vnet header (no IFF_VNET_HDR).
	 */
	size_t vnet_hdr_sz;
	/*
	 * enum vnh_steer_mode; AUTO = ask the fd (TUNGETIFF) and, for a tun,
	 * rtnetlink whether it has tun_pi (TUNGETIFF cannot tell: it reports
	 * IFF_NOFILTER, the same bit as IFF_NO_PI). AUTO costs syscalls per
	 * read: a VMM reading many frames gives mode and has_pi.
	 */
	int mode;
	/* tun only: a struct tun_pi precedes the frame (no IFF_NO_PI);
	 * ignored unless mode is given explicitly. */
	int has_pi;
	/*
	 * Out, may be NULL: the virtio-net header read (zero-padded to 20;
	 * hash fields the kernel left alone read as zero).
	 */
	struct virtio_net_hdr_v1_hash *hdr;
	/* Out: 1 if @res came from the kernel's header, 0 if computed. */
	int from_kernel;
	/*
	 * enum vnh_tap_report: how to read all-zero hash fields. AUTO costs
	 * syscalls on each read that returns them (and, once a process, a
	 * look at kernel BTF): a VMM reading many frames gives ON or OFF.
	 */
	int report;
	/*
	 * AUTO only, may be NULL: the steering program attached to the
	 * device, if the caller has it; without it, a program is assumed
	 * that reports wherever the kernel can.
	 */
	const struct vnh_steer *steer;
};

/**
 * vnh_tap_read() - read one frame from a tap/tun queue fd and hash it.
 * @buf/@size: receives the frame (without vnet header / tun_pi)
 * @rss: the configuration the device was given (for the hash types and
 *       key when computing, and for the queue)
 * @res: hash, report and the queue the configuration steers it to
 * @opts: may be NULL
 *
 * With a vnet header of 20 bytes or more, the kernel's hash_value and
 * hash_report are taken if it wrote a report (@res->queue is then what
 * @rss gives them); otherwise the library computes @res with the same
 * rules. opts->from_kernel says which. Kernels differ in what they do with
 * the hash fields (hash_value, hash_report, padding) when they have no
 * report: Linux 6.12 leaves them alone, 6.18 writes zeros, and so does a
 * kernel with the hash-report kfunc when the program did not report. So
 * they are filled with a pattern before the read, and after it:
 *  - still the pattern: no report, computed;
 *  - all zero: the kernel's report NONE (hash 0, the unclassified queue)
 *    if the device's program reports hashes, else no report, computed.
 *    opts->report decides; in AUTO, the program reports if the kernel has
 *    bpf_tun_vnet_hash_set, the program calls it (opts->steer's, if
 *    given) and was not loaded with no_report, and the device has more
 *    than one queue attached (with one, tun runs no steering program);
 *  - anything else: the kernel's report, if hash_report is a known type
 *    (else computed).
 * `vnethash verify` reads headers the same way. A tun's packet is hashed
 * as the EtherType in its tun_pi (what the program saw in skb->protocol);
 * without tun_pi, as the IP version nibble says. Returns the frame length,
 * or a negative errno (-EAGAIN on a non-blocking fd with nothing to read;
 * -EMSGSIZE if the frame did not fit: it is lost, as with read()).
 */
ssize_t vnh_tap_read(int fd, void *buf, size_t size,
		     const struct vnh_rss *rss, struct vnh_result *res,
		     struct vnh_tap_read_opts *opts);

#ifdef __cplusplus
}
#endif

#endif /* VNETHASH_STEER_H */
