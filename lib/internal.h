/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * internal.h - libvnethash's private declarations, shared by the library's
 * files and never installed. The tool (src/), which links the static
 * library, uses the vnet header helpers at the end.
 *
 * Functions marked VNH_HIDDEN are called from one library file in another;
 * they stay out of the shared library's symbol table.
 */
#ifndef VNETHASH_INTERNAL_H
#define VNETHASH_INTERNAL_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <linux/types.h>

#include "vnethash.h"
#include "vnethash_steer.h"
#include "vnethash_maps.h"

#define VNH_HIDDEN __attribute__((visibility("hidden")))

/* ------------------------------------------------------------------ */
/* rss.c: the RSS configuration object */

struct vnh_rss {
	uint32_t hash_types;
	uint8_t key[VNH_KEY_SIZE_MAX];
	uint8_t key_len;
	uint16_t unclassified;
	uint16_t table_len;
	uint16_t table[VNH_TABLE_LEN_MAX];
	struct vnh_toeplitz_table toeplitz;	/* derived from key */
};

int vnh_rss_table_len_ok(size_t len);

/* vnh_rss_select_queue(), inline for the whole-frame path (lib/hash.c). */
static inline __attribute__((always_inline)) uint16_t
vnh_rss_queue_of(const struct vnh_rss *rss, uint32_t hash, uint32_t report)
{
	return report == VNH_REPORT_NONE ? rss->unclassified :
	       rss->table[hash & (rss->table_len - 1u)];
}

/* ------------------------------------------------------------------ */
/* Options structures that start with their size (struct vnh_*_opts) */

/*
 * Copy caller options of size @sz into @dst (of size @dst_sz, zeroed
 * first); like libbpf's OPTS_VALID, bytes we do not know must be zero.
 */
static inline int vnh_opts_copy(void *dst, size_t dst_sz, const void *src)
{
	size_t sz;

	memset(dst, 0, dst_sz);
	if (!src)
		return 0;
	sz = *(const size_t *)src;
	if (sz < sizeof(size_t))
		return -EINVAL;
	if (sz > dst_sz) {
		const unsigned char *p = src;
		size_t i;

		for (i = dst_sz; i < sz; i++)
			if (p[i])
				return -EINVAL;
		sz = dst_sz;
	}
	memcpy(dst, src, sz);
	return 0;
}

/* Hand @src (full size) back to a caller structure that says its size. */
static inline void vnh_opts_out(void *dst, const void *src, size_t src_sz)
{
	size_t sz = *(size_t *)dst;

	if (sz > src_sz)
		sz = src_sz;
	memcpy((char *)dst + sizeof(size_t), (const char *)src + sizeof(size_t),
	       sz > sizeof(size_t) ? sz - sizeof(size_t) : 0);
}

/* ------------------------------------------------------------------ */
/* steer.c: the steering object */

struct vnh_steer {
	/* The loaded build (at most one; both NULL when opened from pins). */
	struct vnethash_steer *skel;
	struct vnethash_steer_nokfunc *skel_nk;
	struct vnethash_steer_pt *skel_pt;	/* the PROGTYPE build */
	int kfunc_load_err;		/* why skel did not load, if it did not */
	/*
	 * What the program said of itself, known to the process that loaded
	 * it (variant VNH_STEER_VARIANT_AUTO: not known here, read the
	 * configuration): reading the configuration back needs
	 * BPF_MAP_GET_FD_BY_ID, i.e. CAP_SYS_ADMIN, which a loader may lack.
	 */
	int reports;
	int variant;
	/*
	 * The inner map this object last installed (-1: none), read back
	 * without BPF_MAP_GET_FD_BY_ID while the slot still holds it.
	 */
	int inner_fd;
	int prog_fd;
	int config_fd;			/* the ARRAY_OF_MAPS */
	int stats_fd;
	int debug_fd;
};

/* An object with no fds open yet (all -1); NULL without memory. */
VNH_HIDDEN struct vnh_steer *vnh_steer_alloc(void);

/* ------------------------------------------------------------------ */
/* steer_config.c: the configuration map (shared/vnethash_maps.h) */

/*
 * Can @rss be steered by the program: an indirection table of a power of
 * two up to VNH_TABLE_LEN_MAX entries (-EINVAL), naming no queue at or
 * above @max_queues, if non-zero (-ERANGE)? 0 if so.
 */
VNH_HIDDEN int vnh_cfg_check(const struct vnh_rss *rss, uint32_t max_queues);
/* The map value of a configuration (calloc'ed, free() it); NULL: ENOMEM. */
VNH_HIDDEN struct vnh_steer_cfg *vnh_cfg_build(const struct vnh_rss *rss,
					       uint32_t flags,
					       uint32_t generation,
					       uint32_t max_queues);
/*
 * The build (enum vnh_steer_variant) the flags of a configuration record,
 * VNH_CFG_F_CAPS set: what the program said of itself after its load.
 */
VNH_HIDDEN int vnh_cfg_variant(uint32_t flags);
/* Make @cfg the running configuration, atomically. */
VNH_HIDDEN int vnh_cfg_install(struct vnh_steer *s,
			       const struct vnh_steer_cfg *cfg);

/* ------------------------------------------------------------------ */
/* steer_pin.c: @dir/@name into @buf, or -ENAMETOOLONG */
VNH_HIDDEN int vnh_pin_path(char *buf, size_t size, const char *dir,
			    const char *name);

/* probe.c: the kernel */

/* Is the hash-report kfunc in kernel BTF? 1 or 0; probed once a process. */
VNH_HIDDEN int vnh_kfunc_present(void);
/*
 * The number of BPF_PROG_TYPE_VNET_HASH in the running kernel (from its
 * BTF), or a negative errno (-EOPNOTSUPP: the kernel has no such type).
 */
VNH_HIDDEN int vnh_progtype_number(void);
/* Is @prog_fd a BPF_PROG_TYPE_VNET_HASH program? 1, 0 or -errno. */
VNH_HIDDEN int vnh_prog_is_progtype(int prog_fd);

/* steer_device.c: -ESTALE if the pins under @dir record a device of the
 * caller's namespace that is gone, else 0. */
VNH_HIDDEN int vnh_steer_pins_stale(const char *dir);
/*
 * Does the program @prog_fd, as the kernel runs it, call a kfunc? 1 or 0,
 * or -errno; fills its id and verified instruction count if asked.
 */
VNH_HIDDEN int vnh_prog_calls_kfunc(int prog_fd, uint32_t *prog_id,
				    uint32_t *verified);

/* ------------------------------------------------------------------ */
/* vnet_hdr.c: the hash fields of a virtio_net_hdr_v1_hash */

/*
 * Reading the hash fields of a virtio_net_hdr_v1_hash that tun hands to
 * user space: did the kernel report a hash, write zeros, or leave them
 * alone? Shared by vnh_tap_read() and `vnethash verify | demo`.
 *
 * Kernels differ in what they do with the hash fields (hash_value,
 * hash_report, padding: bytes 12-19) of a vnet header of 20 bytes or more:
 * Linux 6.12 leaves them as they were, 6.18 writes zeros, a kernel with the
 * vnethash kfunc series writes the steering program's report, or zeros if
 * the program reported nothing. Filling them with a pattern before the
 * read tells "left alone" apart; all zero stays ambiguous between "report
 * NONE" and "nothing to report", which only what the device runs decides:
 * vnh_hdr_zero_is_report().
 */

/* The hash fields: offset and length in struct virtio_net_hdr_v1_hash. */
#define VNH_HDR_HASH_OFF	offsetof(struct virtio_net_hdr_v1_hash, hash_value)
#define VNH_HDR_HASH_LEN	8

/* What the kernel did with the hash fields of a vnet header. */
enum vnh_hdr_hash {
	VNH_HDR_HASH_UNTOUCHED,	/* left as vnh_hdr_hash_prefill() made them
				 * (or a header of under 20 bytes) */
	VNH_HDR_HASH_ZERO,	/* all zero: report NONE, or no report */
	VNH_HDR_HASH_SET,	/* anything else: a report */
};

/* Before the read: fill the hash fields of the @hdr_sz-byte @hdr. */
void vnh_hdr_hash_prefill(void *hdr, size_t hdr_sz);

/*
 * After the read: what the kernel did. For VNH_HDR_HASH_SET @hash and
 * @report get the fields (in host order), for the others 0.
 */
enum vnh_hdr_hash vnh_hdr_hash_get(const void *hdr, size_t hdr_sz,
				   uint32_t *hash, uint16_t *report);

/*
 * Are all-zero hash fields the kernel's report NONE on a device? Only if
 * the kernel runs a steering program that reports hashes: it has the kfunc
 * (@kfunc: 1, as vnh_steer_features.hash_kfunc), the program calls it and
 * was not loaded with no_report (@prog: its info; NULL if unknown, then
 * assumed), and the device has more than one queue attached (@queues: with
 * one, tun picks no queue) unless the program resolved the kfunc (@prog's
 * kfunc > 0): the series whose kfunc the program links against (v2, four
 * arguments) runs the program on a one-queue tap too, for the report. A
 * kernel with the older three-argument kfunc does not resolve the program's
 * extern at all. A BPF_PROG_TYPE_VNET_HASH program (@prog's mechanism
 * PROGTYPE) reports like one that calls the kfunc. Returns 1 or 0.
 */
int vnh_hdr_zero_is_report(int kfunc, const struct vnh_steer_info *prog,
			   int queues);

#endif
