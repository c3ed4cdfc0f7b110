/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hash_impl.h - the whole-frame path of lib/hash.c for one Toeplitz
 * implementation: included once per implementation, with
 *
 *   IMPL(name)              the name of this implementation's copy of name
 *   IMPL_ATTR               the attributes of its functions (the target
 *                           instruction set), possibly empty
 *   IMPL_HASH(t, p, n)      the Toeplitz hash of the n bytes at p, n a
 *                           constant (an inline kernel)
 *   IMPL_HASH2(t, a, b, n, out)  two inputs of n bytes at once
 *
 * so each copy runs the rules' fast path, the hash and the queue choice in
 * one function with the kernel inlined at the input's constant length, and
 * no calls. Frames the fast path does not take go to frame_general().
 */

/* The hash of the input at @in for a report type of the fast path. */
IMPL_ATTR static inline __attribute__((always_inline)) __u32
IMPL(hash_report)(const struct vnh_toeplitz_table *t, __u32 report,
		  const uint8_t *in)
{
	switch (report) {
	case VNH_REPORT_TCPV4:
	case VNH_REPORT_UDPV4:
		return IMPL_HASH(t, in, 12);
	case VNH_REPORT_NONE:
		return 0;
	case VNH_REPORT_IPV4:
		return IMPL_HASH(t, in, 8);
	case VNH_REPORT_IPV6:
	case VNH_REPORT_IPV6_EX:
		return IMPL_HASH(t, in, 32);
	default:	/* TCP and UDP over IPv6 */
		return IMPL_HASH(t, in, 36);
	}
}

/* vnh_rss_hash_frame() with the arguments checked. */
IMPL_ATTR static int IMPL(frame)(const struct vnh_rss *rss, const uint8_t *f,
				 size_t len, struct vnh_result *res)
{
	__u32 off = 0, report, hash;

	report = fast_step(rss, f, len, &off);
	if (report == VNH_FAST_MISS)
		return frame_general(rss, f, len, res);
	hash = IMPL(hash_report)(&rss->toeplitz, report, f + off);
	res->hash = hash;
	res->report = (uint16_t)report;
	res->queue = vnh_rss_queue_of(rss, hash, report);
	return 0;
}

/*
 * vnh_rss_hash_frames() with the arguments checked. Frames the fast path
 * takes wait for a partner whose input has the same length, and the two
 * are hashed at once (one pass of the GFNI kernel: the second input rides
 * in the lanes' otherwise unused upper bytes); the others go one by one.
 */
IMPL_ATTR static void IMPL(frames)(const struct vnh_rss *rss,
				   const void *const *frames,
				   const size_t *lens, size_t n,
				   struct vnh_result *res)
{
	const struct vnh_toeplitz_table *t = &rss->toeplitz;
	const uint8_t *wait_in[4] = { NULL, NULL, NULL, NULL };
	size_t wait_idx[4] = { 0, 0, 0, 0 }, i;
	unsigned int k;

	for (i = 0; i < n; i++) {
		const uint8_t *f = frames[i];
		__u32 off = 0, report, len;
		uint32_t h[2];

		report = fast_step(rss, f, lens[i], &off);
		if (report == VNH_FAST_MISS) {
			frame_general(rss, f, lens[i], &res[i]);
			continue;
		}
		res[i].report = (uint16_t)report;
		len = vnh_rules_input_len(report);
		if (!len) {
			res[i].hash = 0;
			res[i].queue = rss->unclassified;
			continue;
		}
		k = len == 8 ? 0 : len == 12 ? 1 : len == 32 ? 2 : 3;
		if (!wait_in[k]) {
			wait_in[k] = f + off;
			wait_idx[k] = i;
			continue;
		}
		switch (k) {
		case 0:
			IMPL_HASH2(t, wait_in[k], f + off, 8, h);
			break;
		case 1:
			IMPL_HASH2(t, wait_in[k], f + off, 12, h);
			break;
		case 2:
			IMPL_HASH2(t, wait_in[k], f + off, 32, h);
			break;
		default:
			IMPL_HASH2(t, wait_in[k], f + off, 36, h);
			break;
		}
		set_hash(rss, &res[wait_idx[k]], h[0]);
		set_hash(rss, &res[i], h[1]);
		wait_in[k] = NULL;
	}
	for (k = 0; k < 4; k++)
		if (wait_in[k])
			set_hash(rss, &res[wait_idx[k]],
			       IMPL(hash_report)(t, res[wait_idx[k]].report,
						 wait_in[k]));
}
