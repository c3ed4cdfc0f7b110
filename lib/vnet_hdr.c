// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The hash fields of the virtio_net_hdr_v1_hash that tun hands to user
 * space: fill them before a read, decode what the kernel did with them,
 * and tell when all-zero fields are a report. See internal.h.
 */
#include <endian.h>
#include <string.h>

#include "internal.h"

/* What no kernel writes there (hash_report 0xa5a5 is no report type). */
#define VNH_HDR_HASH_FILL	0xa5

void vnh_hdr_hash_prefill(void *hdr, size_t hdr_sz)
{
	if (hdr_sz >= VNH_HDR_HASH_OFF + VNH_HDR_HASH_LEN)
		memset((char *)hdr + VNH_HDR_HASH_OFF, VNH_HDR_HASH_FILL, VNH_HDR_HASH_LEN);
}

enum vnh_hdr_hash vnh_hdr_hash_get(const void *hdr, size_t hdr_sz,
				   uint32_t *hash, uint16_t *report)
{
	const struct virtio_net_hdr_v1_hash *h = hdr;
	const unsigned char *p = (const unsigned char *)hdr + VNH_HDR_HASH_OFF;
	int untouched = 1, zero = 1, i;

	*hash = 0;
	*report = 0;
	if (hdr_sz < VNH_HDR_HASH_OFF + VNH_HDR_HASH_LEN)
		return VNH_HDR_HASH_UNTOUCHED;
	for (i = 0; i < VNH_HDR_HASH_LEN; i++) {
		untouched &= p[i] == VNH_HDR_HASH_FILL;
		zero &= p[i] == 0;
	}
	if (untouched)
		return VNH_HDR_HASH_UNTOUCHED;
	if (zero)
		return VNH_HDR_HASH_ZERO;
	*hash = le32toh(h->hash_value);
	*report = le16toh(h->hash_report);
	return VNH_HDR_HASH_SET;
}

int vnh_hdr_zero_is_report(int kfunc, const struct vnh_steer_info *prog,
			   int queues)
{
	/* A BPF_PROG_TYPE_VNET_HASH program reports without the kfunc. */
	int reports = prog && (prog->kfunc > 0 ||
			       prog->mechanism == VNH_STEER_MECH_PROGTYPE) &&
		      !prog->no_report;

	if (kfunc != 1)
		return 0;
	/* One queue: only the v2 series (the kfunc the program resolved)
	 * runs the program there. */
	if (queues <= 1)
		return reports;
	return !prog || reports;
}
