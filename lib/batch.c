// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * vnh_rss_hash_frames(): many frames per call. Frames the rules' fast path
 * takes are hashed two at a time where two have inputs of the same length
 * (one pass of the GFNI path hashes both: the second input rides in the
 * lanes' otherwise unused upper bytes); the others go through
 * vnh_rss_hash_frame() one by one. Results are the same as calling
 * vnh_rss_hash_frame() on each frame.
 */
#include <errno.h>
#include <linux/types.h>
#include <string.h>

#include "internal.h"
#include "toeplitz_impl.h"
#include "vnethash.h"

/* The fast path only is used here; the general rules need no context. */
struct vnh_nobuf;
#define VNH_CTX_T const struct vnh_nobuf *
#define VNH_LOAD(ctx, off, dst, len) ((void)(ctx), (void)(off), (void)(dst), \
				      (void)(len), -1)
#define VNH_INLINE static inline __attribute__((unused))
#include "vnethash_rules.h"

/* A frame whose input waits for a partner of the same length. */
struct pending {
	const uint8_t *in;
	size_t idx;
	int used;
};

static void finish(const struct vnh_rss *rss, struct vnh_result *r,
		   uint32_t hash)
{
	r->hash = hash;
	r->queue = vnh_rss_select_queue(rss, hash, r->report);
}

int vnh_rss_hash_frames(const struct vnh_rss *rss, const void *const *frames,
			const size_t *lens, size_t n, struct vnh_result *res)
{
	struct pending wait[4];	/* input lengths 8, 12, 32, 36 */
	size_t i;
	int k;

	if (!rss || (n && (!frames || !lens || !res)))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!frames[i] && lens[i])
			return -EINVAL;
	memset(wait, 0, sizeof(wait));
	for (i = 0; i < n; i++) {
		const uint8_t *f = frames[i];
		__u32 off = 0, report, len;

		report = f ? vnh_rules_eth_fast(f, lens[i] > 0xffff ? 0xffff :
						(__u32)lens[i],
						rss->hash_types, &off) :
			     VNH_FAST_MISS;
		if (report == VNH_FAST_MISS) {
			vnh_rss_hash_frame(rss, f, lens[i], &res[i]);
			continue;
		}
		res[i].report = (uint16_t)report;
		len = vnh_rules_input_len(report);
		if (!len) {
			finish(rss, &res[i], 0);
			continue;
		}
		k = len == 8 ? 0 : len == 12 ? 1 : len == 32 ? 2 : 3;
		if (!wait[k].used) {
			wait[k].in = f + off;
			wait[k].idx = i;
			wait[k].used = 1;
		} else {
			uint32_t h[2];

			vnh_toeplitz_table_hash2(&rss->toeplitz, wait[k].in,
						 f + off, len, h);
			finish(rss, &res[wait[k].idx], h[0]);
			finish(rss, &res[i], h[1]);
			wait[k].used = 0;
		}
	}
	for (k = 0; k < 4; k++) {
		static const size_t klen[4] = { 8, 12, 32, 36 };

		if (wait[k].used)
			finish(rss, &res[wait[k].idx],
			       vnh_toeplitz_table_hash(&rss->toeplitz,
						       wait[k].in, klen[k]));
	}
	return 0;
}
