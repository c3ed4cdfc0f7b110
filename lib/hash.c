// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Packet hashing: shared/vnethash_rules.h over a bounds-checked buffer, and
 * the whole-frame path of struct vnh_rss (vnh_rss_hash_frame(),
 * vnh_rss_hash_frames()): the rules' fast path, the hash and the queue in
 * one function per Toeplitz implementation (lib/hash_impl.h), chosen with
 * the implementation (lib/toeplitz.c).
 */
#include <errno.h>
#include <string.h>
#include <linux/types.h>

#include "internal.h"
#include "toeplitz_gfni.h"
#include "toeplitz_impl.h"
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
#define VNH_FAST_INLINE static inline __attribute__((always_inline))
#include "vnethash_rules.h"

/* Inlined into the whole-frame functions, whatever their target. */
#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* At most 64 KiB of a packet are looked at (the fast path's offsets). */
ALWAYS_INLINE __u32 avail_of(size_t len)
{
	return len > 0xffff ? 0xffff : (__u32)len;
}

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
	report = vnh_rules_eth_fast(frame, avail_of(len), types, &off);
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
	report = vnh_rules_l3_fast(pkt, 0, avail_of(len), ethertype, types,
				   &off);
	if (report != VNH_FAST_MISS)
		finish_fast(table, report, pkt, off, res);
	else
		finish(table, vnh_rules_l3(&buf, 0, ethertype, types, &in),
		       &in, res);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The whole-frame path of struct vnh_rss */

ALWAYS_INLINE void set_hash(const struct vnh_rss *rss, struct vnh_result *r,
			    uint32_t hash)
{
	r->hash = hash;
	r->queue = vnh_rss_queue_of(rss, hash, r->report);
}

/* The rules' fast path on a frame (NULL only with @len 0). */
ALWAYS_INLINE __u32 fast_step(const struct vnh_rss *rss, const uint8_t *f,
			      size_t len, __u32 *off)
{
	return vnh_rules_eth_fast(f, avail_of(len), rss->hash_types, off);
}

/* A frame the fast path does not take: the general rules. */
static __attribute__((noinline)) int
frame_general(const struct vnh_rss *rss, const uint8_t *f, size_t len,
	      struct vnh_result *res)
{
	struct vnh_buf buf = { f, len };
	struct vnh_hash_input in;
	__u32 report = vnh_rules_eth(&buf, rss->hash_types, &in);

	res->report = (uint16_t)report;
	res->hash = report == VNH_REPORT_NONE ? 0 :
		    vnh_toeplitz_table_hash(&rss->toeplitz, in.data, in.len);
	res->queue = vnh_rss_queue_of(rss, res->hash, report);
	return 0;
}

#define scalar_hash2(t, a, b, n, out) \
	((out)[0] = vnh_scalar_hash(t, a, n), (out)[1] = vnh_scalar_hash(t, b, n))

#define IMPL(name) name##_scalar
#define IMPL_ATTR
#define IMPL_HASH(t, p, n) vnh_scalar_hash(t, p, n)
#define IMPL_HASH2(t, a, b, n, out) scalar_hash2(t, a, b, n, out)
#include "hash_impl.h"
#undef IMPL
#undef IMPL_ATTR
#undef IMPL_HASH
#undef IMPL_HASH2

#ifdef VNH_GFNI
#define IMPL(name) name##_gfni
#define IMPL_ATTR VNH_GFNI_TARGET
#define IMPL_HASH(t, p, n) vnh_gfni_hash(t, p, n)
#define IMPL_HASH2(t, a, b, n, out) vnh_gfni_hash2(t, a, b, n, out)
#include "hash_impl.h"
#undef IMPL
#undef IMPL_ATTR
#undef IMPL_HASH
#undef IMPL_HASH2
#else
#define frame_gfni frame_scalar
#define frames_gfni frames_scalar
#endif

static int frames_args_ok(const struct vnh_rss *rss, const void *const *frames,
			  const size_t *lens, size_t n,
			  const struct vnh_result *res)
{
	size_t i;

	if (!rss || (n && (!frames || !lens || !res)))
		return 0;
	for (i = 0; i < n; i++)
		if (!frames[i] && lens[i])
			return 0;
	return 1;
}

int vnh_rss_hash_frame_with(int gfni, const struct vnh_rss *rss,
			    const void *frame, size_t len,
			    struct vnh_result *res)
{
	if (!rss || !res || (!frame && len))
		return -EINVAL;
	return gfni ? frame_gfni(rss, frame, len, res) :
		      frame_scalar(rss, frame, len, res);
}

int vnh_rss_hash_frames_with(int gfni, const struct vnh_rss *rss,
			     const void *const *frames, const size_t *lens,
			     size_t n, struct vnh_result *res)
{
	if (!frames_args_ok(rss, frames, lens, n, res))
		return -EINVAL;
	if (gfni)
		frames_gfni(rss, frames, lens, n, res);
	else
		frames_scalar(rss, frames, lens, n, res);
	return 0;
}

int vnh_rss_hash_frame(const struct vnh_rss *rss, const void *frame,
		       size_t len, struct vnh_result *res)
{
	if (!rss || !res || (!frame && len))
		return -EINVAL;
	if (vnh_toeplitz_use_gfni())
		return frame_gfni(rss, frame, len, res);
	return frame_scalar(rss, frame, len, res);
}

int vnh_rss_hash_frames(const struct vnh_rss *rss, const void *const *frames,
			const size_t *lens, size_t n, struct vnh_result *res)
{
	return vnh_rss_hash_frames_with(vnh_toeplitz_use_gfni(), rss,
					frames, lens, n, res);
}
