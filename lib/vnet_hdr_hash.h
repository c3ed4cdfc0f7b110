/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Reading the hash fields of a virtio_net_hdr_v1_hash that tun hands to
 * user space: did the kernel report a hash, write zeros, or leave them
 * alone? Shared by vnh_tap_read() and `vnethash verify | demo`; private to
 * libvnethash and the tool (which links the static library).
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
#ifndef VNETHASH_VNET_HDR_HASH_H
#define VNETHASH_VNET_HDR_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "vnethash_steer.h"

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
 * extern at all. Returns 1 or 0.
 */
int vnh_hdr_zero_is_report(int kfunc, const struct vnh_steer_info *prog,
			   int queues);

#endif
