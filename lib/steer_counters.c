// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The steering program's per-CPU counters: sum them, reset them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "internal.h"

static int stats_read(const struct vnh_steer *s, struct vnh_steer_stats *sum)
{
	struct vnh_steer_stats *percpu;
	int ncpu = libbpf_num_possible_cpus(), c;
	__u32 zero = 0;
	size_t i;

	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	/* Per-CPU values are padded to 8 bytes; this struct already is. */
	percpu = calloc((size_t)ncpu, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(s->stats_fd, &zero, percpu)) {
		int err = -errno;

		free(percpu);
		return err;
	}
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpu; c++) {
		const __u64 *src = (const __u64 *)&percpu[c];
		__u64 *dst = (__u64 *)sum;

		for (i = 0; i < sizeof(*sum) / sizeof(__u64); i++)
			dst[i] += src[i];
	}
	free(percpu);
	return 0;
}

int vnh_steer_read_counters(const struct vnh_steer *s,
			    struct vnh_steer_counters *c)
{
	struct vnh_steer_counters out;
	struct vnh_steer_stats sum;
	int err, i;

	if (!s || !c || c->sz < sizeof(size_t))
		return -EINVAL;
	err = stats_read(s, &sum);
	if (err)
		return err;
	memset(&out, 0, sizeof(out));
	out.sz = sizeof(out);
	for (i = 0; i < VNH_STATS_QUEUES; i++) {
		out.queue[i] = sum.queue[i];
		out.packets += sum.queue[i];
	}
	out.queue_other = sum.queue[VNH_STATS_QUEUES];
	out.packets += out.queue_other;
	for (i = 0; i <= VNH_REPORT_MAX; i++)
		out.report[i] = sum.report[i];
	out.kfunc_ok = sum.kfunc_ok;
	out.kfunc_fail = sum.kfunc_fail;
	out.no_config = sum.no_config;
	out.packets += out.no_config;
	vnh_opts_out(c, &out, sizeof(out));
	return 0;
}

int vnh_steer_reset_counters(struct vnh_steer *s)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	__u32 zero = 0;
	void *buf;

	if (!s)
		return -EINVAL;
	if (ncpu < 1)
		return ncpu < 0 ? ncpu : -EINVAL;
	buf = calloc((size_t)ncpu, sizeof(struct vnh_steer_stats));
	if (!buf)
		return -ENOMEM;
	if (bpf_map_update_elem(s->stats_fd, &zero, buf, BPF_ANY))
		err = -errno;
	free(buf);
	return err;
}
