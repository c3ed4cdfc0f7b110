// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Packet hashing: shared/vnethash_rules.h over a bounds-checked buffer. */
#include <errno.h>
#include <string.h>
#include <linux/types.h>

#include "vnethash.h"

struct vnh_buf {
	const uint8_t *data;
	size_t len;
};

static inline int vnh_buf_load(const struct vnh_buf *buf, __u32 off,
			       void *dst, __u32 len)
{
	if (off > buf->len || len > buf->len - off)
		return -1;
	memcpy(dst, buf->data + off, len);
	return 0;
}

#define VNH_CTX_T const struct vnh_buf *
#define VNH_LOAD(ctx, off, dst, len) vnh_buf_load(ctx, off, dst, len)
#define VNH_INLINE static inline
#include "vnethash_rules.h"

static void finish(const struct vnh_toeplitz_table *table, __u32 report,
		   const struct vnh_hash_input *in, struct vnh_result *res)
{
	res->report = (uint16_t)report;
	res->hash = report == VNH_REPORT_NONE ? 0 :
		    vnh_toeplitz_table_hash(table, in->data, in->len);
}

/* The rules' fast path took it: the input lies in the packet at @off. */
static void finish_fast(const struct vnh_toeplitz_table *table, __u32 report,
			const uint8_t *pkt, __u32 off, struct vnh_result *res)
{
	res->report = (uint16_t)report;
	res->hash = report == VNH_REPORT_NONE ? 0 :
		    vnh_toeplitz_table_hash(table, pkt + off,
					    vnh_rules_input_len(report));
}

int vnh_hash_frame(const struct vnh_toeplitz_table *table, uint32_t types,
		   const void *frame, size_t len, struct vnh_result *res)
{
	struct vnh_buf buf = { frame, len };
	struct vnh_hash_input in;
	__u32 report, off = 0;

	if (!table || !res || (!frame && len))
		return -EINVAL;
	report = vnh_rules_eth_fast(frame, len > 0xffff ? 0xffff : (__u32)len,
				    types, &off);
	if (report != VNH_FAST_MISS)
		finish_fast(table, report, frame, off, res);
	else
		finish(table, vnh_rules_eth(&buf, types, &in), &in, res);
	return 0;
}

int vnh_hash_l3(const struct vnh_toeplitz_table *table, uint32_t types,
		uint16_t ethertype, const void *pkt, size_t len,
		struct vnh_result *res)
{
	struct vnh_buf buf = { pkt, len };
	struct vnh_hash_input in;
	__u32 report, off = 0;

	if (!table || !res || (!pkt && len))
		return -EINVAL;
	report = vnh_rules_l3_fast(pkt, 0, len > 0xffff ? 0xffff : (__u32)len,
				   ethertype, types, &off);
	if (report != VNH_FAST_MISS)
		finish_fast(table, report, pkt, off, res);
	else
		finish(table, vnh_rules_l3(&buf, 0, ethertype, types, &in),
		       &in, res);
	return 0;
}
