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
 * program object serves both kinds of kernel; for kernels and loaders that
 * refuse its kfunc extern (no vmlinux BTF; old libbpf without CAP_BPF, a
 * JIT) the library falls back to the same source built without it, which
 * only steers. vnh_steer_reports() says which the loaded program does.
 *
 * Its configuration lives in BPF maps and is replaced atomically by
 * vnh_steer_update(): each packet is steered wholly by the old or wholly by
 * the new configuration. Counters survive updates.
 *
 * Conventions (like libbpf and vnethash.h): functions that can fail return 0
 * (or a non-negative count) or a negative errno; optional structures start
 * with a `sz` member (set it to sizeof(struct ...)); a NULL opts pointer
 * means all defaults. Everything here needs the privileges BPF and tun
 * need (in practice root): CAP_BPF + CAP_NET_ADMIN, and CAP_PERFMON (without
 * it the verifier applies its Spectre v1 rules to the program's
 * variable-offset accesses and refuses it). CAP_SYS_ADMIN is not needed by
 * the process that loads the program (it then gets the build without the
 * kfunc where libbpf would need module BTF; vnh_steer_reports() says so),
 * only to read the configuration of an instance another process loaded
 * (vnh_steer_open_pinned(): the inner map is found by id).
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

/** Which build of the program to load (vnh_steer_opts.variant). */
enum vnh_steer_variant {
	/* opts: the kfunc build, else the build without it. info: unknown
	 * (an instance pinned by a version that did not record it) */
	VNH_STEER_VARIANT_AUTO = 0,
	/* Built with the hash-report kfunc's weak extern: reports hashes
	 * where the loader resolves it, else only steers. */
	VNH_STEER_VARIANT_KFUNC = 1,
	/* Built without the extern (-DVNH_NO_KFUNC): only steers; loads
	 * wherever a plain socket filter program loads. */
	VNH_STEER_VARIANT_NO_KFUNC = 2,
	/* Built as a BPF_PROG_TYPE_VNET_HASH program (-DVNH_PROGTYPE):
	 * reports through its context; loads only on a kernel with the
	 * comparison patches 0020-0023 (not for mainline). Never AUTO's
	 * choice: see vnh_steer_opts.mechanism. */
	VNH_STEER_VARIANT_PROGTYPE = 3,
};

/*
 * How the kernel learns the hash (vnh_steer_opts.mechanism; the designs
 * are compared in docs/kernel-design.md). KFUNC: a socket filter calling
 * bpf_tun_vnet_hash_set() (the kernel series); PROGTYPE: a
 * BPF_PROG_TYPE_VNET_HASH program writing its context (the comparison
 * patches); STEER: no report at all. AUTO: KFUNC if the program as loaded
 * reports through the kfunc, else PROGTYPE if the kernel has that type,
 * else STEER. In vnh_steer_info: the one in use, never AUTO.
 */
enum vnh_steer_mechanism {
	VNH_STEER_MECH_AUTO = 0,
	VNH_STEER_MECH_KFUNC = 1,
	VNH_STEER_MECH_PROGTYPE = 2,
	VNH_STEER_MECH_STEER = 3,
};

/** vnh_steer_mechanism_name() - "auto", "kfunc", "progtype", "steer"; NULL if unknown. */
const char *vnh_steer_mechanism_name(int mechanism);

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
	 * enum vnh_steer_variant. AUTO: the kfunc build, and if it does not
	 * load (any error), the build without the kfunc; KFUNC or NO_KFUNC:
	 * that one only (for tests and for VMMs that want to know).
	 */
	int variant;
	/*
	 * enum vnh_steer_mechanism. A mechanism the kernel (or loader) lacks
	 * is -EOPNOTSUPP, never a silent fallback. KFUNC and PROGTYPE choose
	 * the build (variant must be AUTO or match); STEER sets no_report;
	 * with no_report only AUTO and STEER are valid.
	 */
	int mechanism;
};

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
	/* As vnh_steer_reports(): 1 steering + report, 0 steering only,
	 * negative errno unknown. */
	int reports;
	/* enum vnh_steer_variant: the build that was loaded (AUTO: unknown). */
	int variant;
	/*
	 * Why the kfunc build did not load when the library fell back to the
	 * other (negative errno; 0 if it was not tried or loaded). Known only
	 * to the process that loaded the program.
	 */
	int kfunc_load_err;
	/* enum vnh_steer_mechanism in use (never AUTO); negative errno if
	 * unknown. */
	int mechanism;
};

/**
 * vnh_steer_get_config() - read the running configuration back from the
 * maps (works on pinned instances opened by another process).
 * @rss: receives it (may be NULL)
 * @info: may be NULL
 */
int vnh_steer_get_config(const struct vnh_steer *steer, struct vnh_rss *rss,
			 struct vnh_steer_info *info);

/**
 * vnh_steer_reports() - does the program @steer runs report each packet's
 * hash to the kernel ("steering + report") or only steer ("steering only")?
 *
 * Taken from the program as loaded, not from what kernel BTF lists: right
 * after loading, the library runs a companion program of the same object
 * that writes whether the loader resolved bpf_tun_vnet_hash_set() into a
 * global, reads it back and records it with the configuration (so an
 * instance opened from pins answers too). A kernel can have the kfunc and
 * the program still not call it: tun as a module and a loader without
 * CAP_SYS_ADMIN (libbpf cannot read module BTF and drops the weak extern),
 * or the fallback build without the extern (see enum vnh_steer_variant).
 * A VMM offers VIRTIO_NET_F_HASH_REPORT only if this returns 1 (and reads
 * the queues with a vnet header of 20 bytes or more: tun writes the hash
 * only into such headers).
 *
 * Returns 1 (steering + report), 0 (steering only: the kfunc is not
 * resolved, the fallback build was loaded, or no_report was set), or a
 * negative errno: -EINVAL for a NULL @steer, -ENODATA for an instance
 * pinned by an older version that recorded nothing and whose instructions
 * cannot be read back.
 */
int vnh_steer_reports(const struct vnh_steer *steer);

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
 * vnh_steer_unpin() - remove the pins vnh_steer_pin() made under @dir (and
 * the owner record of vnh_steer_pin_owner(), if any) and @dir itself. Removing pins does not detach the program. -ENOENT if
 * nothing was pinned there.
 */
int vnh_steer_unpin(const char *dir);

/**
 * vnh_steer_open_pinned() - open an instance pinned under @dir, e.g. by
 * another process, to update it, read it or attach it elsewhere.
 * -ENOENT if nothing is pinned there; -ESTALE if the pins record (see
 * vnh_steer_pin_owner()) a device of the caller's network namespace that
 * is gone (deleted, or another device under its name now): the program
 * steers nothing. Whether the device still runs the program is
 * vnh_tun_steering()'s to say.
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
	/*
	 * The kfunc bpf_tun_vnet_hash_set is in kernel BTF: what the kernel
	 * has, read from /sys/kernel/btf, which anyone may read. Whether a
	 * program loaded by this process calls it is prog_reports.
	 */
	int hash_kfunc;
	/* Where it was found: "vmlinux", "tun" or "". */
	char hash_kfunc_btf[32];
	/* BPF_PROG_TYPE_VNET_HASH in the kernel's enum bpf_prog_type (BTF). */
	int prog_type_vnet_hash;
	/* Native tun hashing (the unmerged "tun: Introduce virtio-net
	 * hashing feature" series): struct tun_vnet_hash in kernel BTF. */
	int native_hash;
	/*
	 * What a program loaded by this process now does: the library loads
	 * a throw-away instance (not attached anywhere) and asks
	 * vnh_steer_reports(): 1 steering + report, 0 steering only,
	 * negative errno if it could not be loaded (-EPERM: no CAP_BPF).
	 * This, not hash_kfunc, is what a VMM may offer the guest.
	 */
	int prog_reports;
	/* enum vnh_steer_variant of that instance (AUTO if none loaded). */
	int prog_variant;
	/* Why its kfunc build did not load (negative errno), else 0. */
	int prog_kfunc_load_err;
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
 * The device a pinned program belongs to, as vnh_steer_pin_owner()
 * recorded it beside the pins (file "owner"). A device deleted and created
 * again under the same name (a VM restart) has a new ifindex: its old pins
 * are stale, and nothing steers the new device.
 */
struct vnh_steer_owner {
	size_t sz;		/* sizeof(struct vnh_steer_owner) */
	char ifname[16];	/* its name when pinned */
	uint32_t ifindex;
	uint64_t netns_ino;	/* its network namespace: nsfs inode ... */
	uint64_t netns_cookie;	/* ... and cookie (SO_NETNS_COOKIE; 0 if the
				 * kernel had none) */
	uint32_t prog_id;	/* the program pinned for it */
	int here;		/* 1: that namespace is the caller's */
	int gone;		/* here, and no device of that ifindex and name
				 * exists any more: the pins are stale */
};

/**
 * vnh_steer_pin_owner() - record, beside pins made by vnh_steer_pin() under
 * @dir, that they belong to the device @ifname of the caller's network
 * namespace (its ifindex, the namespace, @steer's program id). A read-only
 * one-entry BPF array pinned as "owner". -EEXIST if one is there.
 */
int vnh_steer_pin_owner(const struct vnh_steer *steer, const char *dir,
			const char *ifname);

/**
 * vnh_steer_read_owner() - read the record vnh_steer_pin_owner() made
 * under @dir. -ENODATA if the pins have none (pinned by an older version).
 */
int vnh_steer_read_owner(const char *dir, struct vnh_steer_owner *owner);

/**
 * vnh_steer_check_owner() - do the pins under @dir belong to the device
 * @ifname of the caller's network namespace? 0 yes; -ESTALE if they were
 * made for another device (one deleted since, or another device now under
 * that name); -EXDEV if they were made in another network namespace;
 * -ENODATA if they record no device; other errors from reading them.
 */
int vnh_steer_check_owner(const char *dir, const char *ifname);

/** vnh_steer_unpin_owner() - remove the "owner" record under @dir. */
int vnh_steer_unpin_owner(const char *dir);

/** What steers a tun/tap device now, as the kernel has it. */
struct vnh_tun_steering {
	size_t sz;		/* sizeof(struct vnh_tun_steering) */
	uint32_t ifindex;	/* the device */
	uint32_t prog_id;	/* its steering program's id; 0: none (tun's
				 * own flow steering) */
	int queues;		/* queue files open on it, in any process */
	int detached_queues;	/* ... detached with IFF_DETACH_QUEUE */
};

/**
 * vnh_tun_steering() - read back which steering program the tun/tap device
 * @ifname (in the caller's network namespace) runs. tun has no ioctl for
 * it: the answer comes from the device's open queue files, through a BPF
 * task_file iterator relocated against the kernel's BTF (CO-RE). Compare
 * st->prog_id with vnh_steer_info.prog_id to know whether a pinned
 * program is the one the device runs.
 * @st: the caller sets st->sz; filled up to it
 *
 * Returns 0, or a negative errno: -ENODEV if there is no such device,
 * -ENOENT if no queue of it is open anywhere (then there is nothing to read
 * it from, and the device steers nothing), -EPERM without CAP_BPF and
 * CAP_PERFMON (root), -EOPNOTSUPP if the kernel lacks BTF or BPF tracing
 * programs (CONFIG_BPF_EVENTS, which needs kprobe or uprobe events), which
 * task_file iterators are. Distribution kernels have both.
 */
int vnh_tun_steering(const char *ifname, struct vnh_tun_steering *st);

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
